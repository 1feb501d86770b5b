"""Live connectors: the polite HTTP layer (:mod:`.http`), SSB PxWebApi (:mod:`.ssb`) and KLASS (:mod:`.klass`).

They fetch and return the same cubes and records the file readers give for the saved responses.
"""
