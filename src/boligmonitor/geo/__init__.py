"""Geography: the region registry, peer groups, municipality code changes and harmonisation of series to
one vintage of municipality codes (docs/harmonisation.md).

geo imports only boligmonitor.core and boligmonitor.sources; readers for KLASS files live in sources and
hand plain parsed data to the constructors here.
"""

from boligmonitor.geo.changes import ChangeHistory, ChangeKind, CodeChange, Interval, Split
from boligmonitor.geo.groups import (
    Attribute,
    AttributeValue,
    KostraGroup,
    RegionAttributes,
    SizeGroup,
    kostra_groups_from_rows,
    size_group,
)
from boligmonitor.geo.harmonise import (
    DEFAULT_TARGET_DATE,
    CountRecord,
    HarmonisationResult,
    Harmoniser,
    MissingSplitWeightsError,
    TargetShare,
    harmonise,
)
from boligmonitor.geo.region_register import COUNTRY_NAMES, UNSPECIFIED_CODES, Region, RegionRegistry
from boligmonitor.geo.weights import (
    KnownCorrespondence,
    SplitAllocation,
    SplitWeights,
    WeightKind,
    load_known_correspondences,
)

__all__ = [
    "COUNTRY_NAMES",
    "DEFAULT_TARGET_DATE",
    "UNSPECIFIED_CODES",
    "Attribute",
    "AttributeValue",
    "ChangeHistory",
    "ChangeKind",
    "CodeChange",
    "CountRecord",
    "HarmonisationResult",
    "Harmoniser",
    "Interval",
    "KnownCorrespondence",
    "KostraGroup",
    "MissingSplitWeightsError",
    "Region",
    "RegionAttributes",
    "RegionRegistry",
    "SizeGroup",
    "Split",
    "SplitAllocation",
    "SplitWeights",
    "TargetShare",
    "WeightKind",
    "harmonise",
    "kostra_groups_from_rows",
    "load_known_correspondences",
    "size_group",
]
