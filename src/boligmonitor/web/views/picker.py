"""The municipality picker's answer (``/velg?q=…``): what was typed, resolved to a region.

Accepts a number ("0301", "301"), a name ("Oslo", "oslo"), the datalist's "0301 Oslo" form, Norway in every
spelling (:func:`means_norway`: "Hele landet", "Norge", "Noreg", "Norway", "0", "0000"), and a unique beginning
of a name. One match goes straight to the page (303), several
give a list to choose from, none a page that says so. ``til`` says which page of the region to open: the
overview, a theme (``tema/ID``) or an indicator's time series (``indikator/ID``); nothing else is accepted,
so the picker cannot be used to redirect elsewhere.
"""

from __future__ import annotations

import re
import unicodedata

from boligmonitor.core.regions import NORWAY, RegionLevel, normalise_region_code
from boligmonitor.store import RegionRow
from boligmonitor.web.context import PageContext
from boligmonitor.web.pages import Page

_TARGET = re.compile(r"^(tema|indikator)/[A-Za-z0-9_]{1,40}$")
_NORWAY_WORDS = frozenset({"hele landet", "heile landet", "landet", "norge", "noreg", "norway"})
MAX_CHOICES = 50


def resolve(ctx: PageContext, query: str, target: str) -> str | Page:
    matches = find_regions(ctx, query)
    suffix = f"/{target}" if _TARGET.match(target) else ""
    if len(matches) == 1:
        return ctx.url(f"/region/{matches[0].code}{suffix}")
    t = ctx.t
    choices = [
        {"name": region.name if region.code != NORWAY else t("region.norway"), "code": region.code,
         "kind": t(f"region.level.{region.level}"), "url": ctx.url(f"/region/{region.code}{suffix}")}
        for region in matches[:MAX_CHOICES]
    ]  # fmt: skip
    title = t("picker.results_title", query=query) if matches else t("picker.none_title", query=query)
    return Page("picker.html", title, {"query": query, "choices": choices, "truncated": len(matches) > MAX_CHOICES})


def means_norway(text: str) -> bool:
    """Whether ``text`` names Norway: its name in bokmål, nynorsk or English ("Hele landet", "Heile landet",
    "Norge", "Noreg", "Norway", "landet"), or its code as we and publishers write it ("0", SSB's "0000", "00",
    "EAK"), in any case and spacing, alone or before a name ("0000 Hele landet")."""
    folded = _fold(text)
    number, _, rest = folded.partition(" ")
    return (
        folded in _NORWAY_WORDS
        or normalise_region_code(folded) == NORWAY
        or (number.isdigit() and normalise_region_code(number) == NORWAY and (not rest or rest in _NORWAY_WORDS))
    )


def find_regions(ctx: PageContext, query: str) -> list[RegionRow]:
    text = _fold(query)
    if not text:
        return []
    regions = [r for r in ctx.data.regions.values() if r.level in _LEVELS]
    if means_norway(text):
        return [r for r in regions if r.code == NORWAY]
    number, _, rest = text.partition(" ")
    if number.isdigit():
        code = number.zfill(4) if len(number) > 2 else number.zfill(2)
        exact = [r for r in regions if r.code == code]
        if exact:
            return exact
        text = rest or text
    by_name = [r for r in regions if text in _name_forms(r)]
    municipalities = [r for r in by_name if r.level == RegionLevel.MUNICIPALITY]
    if len(municipalities) == 1:
        # "Oslo" is both a county and a municipality: the picker is first a municipality picker (the county is
        # one "03" away).
        return municipalities
    if by_name:
        return _ordered(by_name)
    starting = [r for r in regions if any(form.startswith(text) for form in _name_forms(r))]
    if starting:
        return _ordered(starting)
    return _ordered([r for r in regions if text in _fold(r.name)])


_LEVELS = frozenset({RegionLevel.COUNTRY, RegionLevel.COUNTY, RegionLevel.MUNICIPALITY})


def _ordered(regions: list[RegionRow]) -> list[RegionRow]:
    # Municipalities first (what most visitors look for), then counties; alphabetical within each.
    return sorted(regions, key=lambda r: (r.level != RegionLevel.MUNICIPALITY, r.name, r.code))


def _name_forms(region: RegionRow) -> set[str]:
    """The official name and each language's form: "Oslo - Oslove" is found as "Oslo" and as "Oslove",
    "Kautokeino - Guovdageaidnu" as either."""
    names = {region.name, *region.names.values(), *region.name.split(" - ")}
    return {_fold(name) for name in names if name.strip()}


def _fold(text: str) -> str:
    """Case- and space-insensitive, keeps æøå (they are letters of their own in Norwegian)."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


__all__ = ["MAX_CHOICES", "find_regions", "means_norway", "resolve"]
