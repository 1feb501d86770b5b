"""Where data comes from, in three rooms by job, plus the types they share.

- :mod:`.readers`: file readers (JSON-stat, SSB statbank CSV, tidy CSV/XLSX, KLASS, region files, GeoJSON)
  and the one registry of build-input formats (:mod:`.readers.registry`).
- :mod:`.connectors`: live connectors (the polite HTTP layer, SSB PxWebApi, KLASS); each yields the same
  :class:`~boligmonitor.sources.cube.Cube` or records the file readers yield, so the rest of the system does
  not care where data came from.
- :mod:`.shared_data`: the development adapter that turns ``../shared/data`` into a build input.

Shared types: :mod:`.cube` (Cube, Dimension, Unit, Cell) and :mod:`.manifest` (the build-input manifest).
"""
