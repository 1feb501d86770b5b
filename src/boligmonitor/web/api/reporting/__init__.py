"""The JSON API of programme reporting for signed-in users (``/api/v1/program/…``): the programme analysis with
its provenance. The router is in :mod:`.routes`."""
