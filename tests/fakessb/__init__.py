"""A local fake SSB server (PxWebApi v2, legacy v0, KLASS) replaying recorded and synthetic responses, with faults.

See docs/fake-ssb.md. Loopback only: the test suite blocks every other address.
"""

from tests.fakessb.catalogue import SyntheticDimension, SyntheticTable, TableCatalogue
from tests.fakessb.faults import Fault, FaultKind, FaultPlan
from tests.fakessb.server import FakeSsb, ManualClock, RecordedRequest

__all__ = [
    "FakeSsb",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "ManualClock",
    "RecordedRequest",
    "SyntheticDimension",
    "SyntheticTable",
    "TableCatalogue",
]
