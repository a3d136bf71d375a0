"""The HTTP API of `smarter-tui serve` (SMARTER-API.md): routes that translate HTTP to services and back.

Importing this package is cheap; FastAPI and uvicorn are imported by `server.app` and `server.run`,
which only the `serve` command loads.
"""
