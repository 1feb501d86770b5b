"""File readers: each turns one file format into a :class:`~boligmonitor.sources.cube.Cube` or typed records.

Which reader reads which build-input format, and how a file's format is told from its name and first bytes,
is decided in one place: :mod:`boligmonitor.sources.readers.registry`.
"""
