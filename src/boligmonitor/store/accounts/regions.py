"""Adviser regions: which municipalities each of Husbanken's regional advisers follows.

Regions are data, kept in the database and replaced as a whole from a YAML file (``boligmonitor user regions
FILE``) that maps each region's name to county codes (2 digits: every municipality in the county) and
municipality codes (4 digits)::

    Midt: ["50", "15"]          # SYNTHETIC example: Trøndelag and Møre og Romsdal
    Nord: ["18", "5501", "5601"]

No mapping ships with the program: Husbanken's own division is the administrator's to enter.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import yaml
from sqlalchemy import Connection, delete, insert, select

from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.core.regions import RegionLevel, normalise_region_code, region_level
from boligmonitor.store.accounts import audit
from boligmonitor.store.accounts.audit import Actor, AuditAction
from boligmonitor.store.accounts.tables import account, adviser_region, adviser_region_area

Regions = Mapping[str, frozenset[str]]


def read_regions_file(path: Path) -> dict[str, frozenset[str]]:
    """A regions file, every problem named by file, line and field. Codes are read as written (``0301`` stays
    ``0301``, never the number 301)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError.single(str(path), f"cannot read the file: {error.strerror or error}") from None
    return parse_regions(text, str(path))


def parse_regions(text: str, source: str) -> dict[str, frozenset[str]]:
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError.single(source, f"not valid YAML: {error}", line=line) from None
    if not isinstance(root, yaml.MappingNode):
        raise InputError.single(source, "expected a mapping of region names to lists of county or municipality codes")
    problems: list[InputProblem] = []
    regions: dict[str, frozenset[str]] = {}
    for key, value in root.value:
        name = str(key.value).strip() if isinstance(key, yaml.ScalarNode) else ""
        line = key.start_mark.line + 1
        if not name:
            problems.append(InputProblem(source, "a region needs a name", line=line))
            continue
        if name in regions:
            problems.append(InputProblem(source, "the region is named twice", line=line, field=name))
            continue
        if not isinstance(value, yaml.SequenceNode) or not value.value:
            problems.append(InputProblem(source, "expected a list of county or municipality codes", line, name))
            continue
        codes: set[str] = set()
        for index, item in enumerate(value.value):
            raw = item.value if isinstance(item, yaml.ScalarNode) else ""
            code = normalise_region_code(str(raw))
            if region_level(code) not in (RegionLevel.COUNTY, RegionLevel.MUNICIPALITY):
                problems.append(
                    InputProblem(
                        source,
                        f"{raw!r} is neither a county (2 digits) nor a municipality (4 digits)",
                        line=item.start_mark.line + 1,
                        field=f"{name}[{index}]",
                    )
                )
            codes.add(code)
        regions[name] = frozenset(codes)
    if problems:
        raise InputError(problems)
    if not regions:
        raise InputError.single(source, "no regions in the file")
    return regions


def read(connection: Connection) -> dict[str, frozenset[str]]:
    """Every region with its area codes (a region without areas too)."""
    regions: dict[str, set[str]] = {name: set() for name in connection.scalars(select(adviser_region.c.name))}
    for row in connection.execute(select(adviser_region_area)):
        regions[row.region_name].add(row.area_code)
    return {name: frozenset(codes) for name, codes in sorted(regions.items())}


def areas_of(connection: Connection, name: str) -> frozenset[str]:
    return frozenset(
        connection.scalars(select(adviser_region_area.c.area_code).where(adviser_region_area.c.region_name == name))
    )


def replace(connection: Connection, regions: Regions, *, actor: Actor, at: datetime, source: str) -> None:
    """Put ``regions`` in place of every region. A region that an account still belongs to cannot go."""
    before = read(connection)
    in_use = connection.execute(
        select(account.c.adviser_region, account.c.email)
        .where(account.c.adviser_region.is_not(None), account.c.adviser_region.not_in(list(regions)))
        .order_by(account.c.adviser_region, account.c.email)
    ).all()
    if in_use:
        raise InputError(
            [
                InputProblem(source, f"the region is missing but the account {row.email} belongs to it", field=row[0])
                for row in in_use
            ]
        )
    connection.execute(delete(adviser_region_area))
    connection.execute(delete(adviser_region).where(adviser_region.c.name.not_in(list(regions))))
    for name in regions:
        if name not in before:
            connection.execute(insert(adviser_region).values(name=name))
    rows = [{"region_name": name, "area_code": code} for name, codes in regions.items() for code in sorted(codes)]
    if rows:
        connection.execute(insert(adviser_region_area), rows)
    audit.record(
        connection,
        actor,
        AuditAction.REGIONS_CHANGED,
        "adviser_regions",
        "all",
        before={name: sorted(codes) for name, codes in before.items()},
        after={name: sorted(codes) for name, codes in sorted(regions.items())},
        at=at,
    )


__all__ = ["Regions", "areas_of", "parse_regions", "read", "read_regions_file", "replace"]
