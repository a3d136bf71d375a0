"""smarter-tui: a terminal home for LLM assistants built from Smarter-style manifests."""

__version__ = "0.1.0"
