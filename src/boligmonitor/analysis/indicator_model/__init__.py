"""The indicator model: municipalities of a region ranked by the size of their housing-social challenges.

``scoring`` holds the maths (normalisation, weights, coverage, rank intervals), ``run`` reads a model's values
through an :class:`~boligmonitor.analysis.reading.ObservationSource` (the store or the web's loaded data) and
ranks them, ``exports`` writes a result as a table, text pairs or JSON. docs/methods/indicator-model.md.
"""
