"""Readers for source data: JSON-stat 2.0, SSB statbank CSV, tidy CSV/XLSX, KLASS files, build inputs.

Live connectors (SSB PxWebApi, KLASS) plug in here too: each yields the same :class:`Cube` or records
that the file readers yield, so the rest of the system does not care where data came from.
"""
