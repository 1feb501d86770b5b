"""Husbanken's Statistikkbank: a Qlik Sense app read over Qlik's Engine API (JSON-RPC over a WebSocket).

See ``../shared/docs/husbanken-qlik.md`` for the facts this follows. The parts:

=================  ==================================================================================================
``definitions``    the hypercubes as data (``definitions.yaml``), validated on load
``engine``         :class:`QlikSession`: one WebSocket, calls matched to answers by id, time-outs, politeness
``hypercube``      the JSON-RPC parameters built from a definition
``parse``          layouts, pages and cells → typed rows (pure)
``regions``        Husbanken's KommuneNr codes: Oslo's districts, the residual 0301, Svalbard
``cubes``          typed rows → one :class:`~boligmonitor.sources.cube.Cube` per dataset key (pure)
``fetch``          :func:`fetch_husbanken_cubes`: the session, paging, retries that resume, the raw archive
``plan``           :func:`plan_husbanken`: the calls a fetch would make, without connecting
=================  ==================================================================================================

Typical use::

    result = fetch_husbanken_cubes(DEFAULT_URL, Path("var/archive/husbanken"))
    cube = result.cubes["husbanken:bostotte"]  # Region x Brukergruppe x ContentsCode x Tid
"""

from boligmonitor.sources.connectors.husbanken.cubes import BuiltCubes, build_cubes
from boligmonitor.sources.connectors.husbanken.definitions import (
    PAGE_CELLS,
    CubeDefinition,
    Dataset,
    Definitions,
    load_definitions,
    parse_definitions,
)
from boligmonitor.sources.connectors.husbanken.engine import QlikReply, QlikSession
from boligmonitor.sources.connectors.husbanken.errors import (
    HusbankenFetchError,
    QlikAuthenticationError,
    QlikConnectionError,
    QlikEngineError,
    QlikError,
    QlikProtocolError,
    QlikResponseError,
    QlikTimeoutError,
)
from boligmonitor.sources.connectors.husbanken.fetch import (
    DEFAULT_URL,
    HusbankenFetch,
    QlikOptions,
    fetch_husbanken_cubes,
)
from boligmonitor.sources.connectors.husbanken.parse import HypercubeData, read_layout
from boligmonitor.sources.connectors.husbanken.plan import HusbankenPlan, PlannedCall, plan_husbanken

__all__ = [
    "DEFAULT_URL",
    "PAGE_CELLS",
    "BuiltCubes",
    "CubeDefinition",
    "Dataset",
    "Definitions",
    "HusbankenFetch",
    "HusbankenFetchError",
    "HusbankenPlan",
    "HypercubeData",
    "PlannedCall",
    "QlikAuthenticationError",
    "QlikConnectionError",
    "QlikEngineError",
    "QlikError",
    "QlikOptions",
    "QlikProtocolError",
    "QlikReply",
    "QlikResponseError",
    "QlikSession",
    "QlikTimeoutError",
    "build_cubes",
    "fetch_husbanken_cubes",
    "load_definitions",
    "parse_definitions",
    "plan_husbanken",
    "read_layout",
]
