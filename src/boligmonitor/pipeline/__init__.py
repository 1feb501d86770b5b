"""Application services: build the database from a build input, import files, derive indicators.

The pipeline joins the lower layers (sources, catalog, geo, store); the CLI and the web call it.
"""
