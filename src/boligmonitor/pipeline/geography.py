"""Assemble the region register, change history and harmoniser from a build input."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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
    return assemble_geography(
        registry,
        changes=[change.as_mapping() for change in inputs.changes],
        population=_population(inputs),
        attributes=[(a.region, a.attribute, a.year, a.value, a.source) for a in inputs.attributes],
        split_weights=[
            {
                "old_code": w.old_code,
                "new_code": w.new_code,
                "valid_until_year": str(w.valid_until_year),
                "weight": repr(w.weight),
                "source": w.source or "",
            }
            for w in inputs.split_weights
        ],
    )


def assemble_geography(
    registry: RegionRegistry,
    *,
    changes: Sequence[Mapping[str, str]],
    population: dict[tuple[str, int], float],
    attributes: Iterable[tuple[str, str, int, str, str | None]],
    split_weights: Sequence[Mapping[str, str]] = (),
) -> Geography:
    """Change history, split weights and harmoniser around a register (from a build input or the database).

    ``changes`` are KLASS `changes` items; ``attributes`` are (region, attribute, year, value, source).
    """
    history = ChangeHistory.from_rows(changes, current_codes=registry.municipality_codes)
    weights = SplitWeights.standard(history, population=population or None, explicit_rows=split_weights)
    harmoniser = Harmoniser(history, registry.municipality_codes, DEFAULT_TARGET_DATE, weights)
    region_attributes = RegionAttributes.from_rows(
        [
            {"region": region, "attribute": attribute, "year": str(year), "value": value, "source": source or ""}
            for region, attribute, year, value, source in attributes
        ]
    )
    return Geography(registry, history, harmoniser, region_attributes, population)


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
