"""Assemble the region register, change history and harmoniser from a build input."""

from __future__ import annotations

from dataclasses import dataclass

from boligmonitor.catalog.models import Selection
from boligmonitor.core.regions import RegionLevel, region_level
from boligmonitor.geo import (
    DEFAULT_TARGET_DATE,
    ChangeHistory,
    Harmoniser,
    Region,
    RegionAttributes,
    RegionRegistry,
    SplitWeights,
    size_group,
)
from boligmonitor.pipeline.derive import derive
from boligmonitor.pipeline.inputs import COUNTY_CLASSIFICATION, MUNICIPALITY_CLASSIFICATION, BuildInputs

# The population cube used for split weights and size groups (population 1 January by age).
POPULATION_DATASET = "ssb:07459"
POPULATION_SELECTION = Selection(dataset=POPULATION_DATASET, measure="Personer1", select={"Alder": "all"})


@dataclass(frozen=True)
class Geography:
    registry: RegionRegistry
    history: ChangeHistory
    harmoniser: Harmoniser
    attributes: RegionAttributes
    population: dict[tuple[str, int], float]  # (region, year) -> population 1 January, where known


def build_geography(inputs: BuildInputs) -> Geography:
    registry = RegionRegistry.from_klass(
        [code.as_mapping() for code in inputs.municipality_codes],
        [code.as_mapping() for code in inputs.county_codes],
        districts=_districts(inputs),
        file=_file_name(inputs, MUNICIPALITY_CLASSIFICATION),
    )
    history = ChangeHistory.from_rows(
        [change.as_mapping() for change in inputs.changes], current_codes=registry.municipality_codes
    )
    population = _population(inputs)
    weights = SplitWeights.standard(
        history,
        population=population or None,
        explicit_rows=[
            {
                "old_code": w.old_code,
                "new_code": w.new_code,
                "valid_until_year": str(w.valid_until_year),
                "weight": repr(w.weight),
                "source": w.source,
            }
            for w in inputs.split_weights
        ],
    )
    harmoniser = Harmoniser(history, registry.municipality_codes, DEFAULT_TARGET_DATE, weights)
    attributes = RegionAttributes.from_rows(
        [
            {
                "region": a.region,
                "attribute": a.attribute,
                "year": str(a.year),
                "value": a.value,
                "source": a.source,
            }
            for a in inputs.attributes
        ]
    )
    return Geography(registry, history, harmoniser, attributes, population)


def all_regions(registry: RegionRegistry) -> list[Region]:
    """Norway, counties, municipalities and districts, in that order."""
    return [registry.country(), *registry.counties(), *registry.municipalities(), *registry.districts()]


def size_groups(geography: Geography) -> list[tuple[str, int, str]]:
    """(municipality, year, size group) from the population on 1 January of each year."""
    municipalities = geography.registry.municipality_codes
    result = []
    for (code, year), population in sorted(geography.population.items()):
        group = size_group(population) if code in municipalities else None
        if group is not None:
            result.append((code, year, group.value))
    return result


def _population(inputs: BuildInputs) -> dict[tuple[str, int], float]:
    cube = inputs.cubes.get(POPULATION_DATASET)
    if cube is None:
        return {}
    derived = derive(cube, POPULATION_SELECTION)
    return {key: agg.value for key, agg in derived.cells.items() if agg.value is not None}


def _districts(inputs: BuildInputs) -> list[Region]:
    """Urban districts (bydeler) named in any cube's region dimension (6-digit codes)."""
    found: dict[str, str] = {}
    for prepared in inputs.cubes.values():
        geo = prepared.cube.geo_dimension()
        if geo is None:
            continue
        for code, label in zip(geo.codes, geo.labels, strict=True):
            if region_level(code) is RegionLevel.DISTRICT and code not in found:
                found[code] = label
    return [Region(code, name, RegionLevel.DISTRICT, code[:4]) for code, name in sorted(found.items())]


def _file_name(inputs: BuildInputs, dataset: str) -> str:
    try:
        return str(inputs.directory / inputs.file_of(dataset).path)
    except KeyError:
        return f"<{dataset}>"


__all__ = ["COUNTY_CLASSIFICATION", "POPULATION_DATASET", "Geography", "build_geography", "size_groups"]
