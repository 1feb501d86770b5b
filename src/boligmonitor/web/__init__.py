"""The web monitor: server-rendered pages, downloads and the JSON API (the top layer, beside the CLI)."""
