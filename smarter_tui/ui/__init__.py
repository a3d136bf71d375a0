"""The full-screen Textual app (the only textual importer)."""
