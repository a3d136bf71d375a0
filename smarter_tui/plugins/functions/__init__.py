"""Built-in functions offered to the model (SPEC §5): calculator, dates, weather, memory."""
