"""Plain types shared by every layer: messages, tool calls, events, errors, protocols."""
