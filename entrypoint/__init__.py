"""Turn container secrets into a private .env file, drop root, start the server."""

__version__ = "0.1.0"
