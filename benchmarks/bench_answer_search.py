"""Full-text search over open answers: 5 years × 70 municipalities × 24 answers of SYNTHETIC Norwegian-looking
text (made from a small word list with a fixed seed; no real answer), on SQLite (FTS5) and, when a PostgreSQL test
server is reachable, on PostgreSQL (the 'norwegian' configuration, GIN index). Prints the time to build the search
documents once and the p50/p95 of searches (the store's whole call: the in-step check, the match, the ranking and
the snippet), for an analyst (all municipalities) and an adviser (a region of 20). Target (issue 14): p95 < 50 ms.

    uv run python benchmarks/bench_answer_search.py [--queries 300]
    BOLIGMONITOR_TEST_POSTGRES_URL="$(scripts/postgres-test-server start | tail -n 1)" \
        uv run python benchmarks/bench_answer_search.py
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import CursorResult, Engine, insert
from sqlalchemy.engine import make_url
from sqlalchemy.schema import CreateSchema, DropSchema

from boligmonitor.store import create_engine_for, migrate
from boligmonitor.store.reporting.coding import CodingStore
from boligmonitor.store.reporting.tables import report, report_version, reporting_round

PROGRAMME = "bolig_for_velferd"
YEARS = range(2015, 2020)
MUNICIPALITIES = [f"{5001 + index:04d}" for index in range(70)]  # SYNTHETIC: codes only, no real answers
QUESTIONS = [f"synthetic_open_{index:02d}" for index in range(24)]
AT = datetime(2026, 12, 6, tzinfo=UTC)
WORDS = [
    "kommunen",
    "bolig",
    "boliger",
    "leie",
    "eie",
    "startlån",
    "bostøtte",
    "tilskudd",
    "samarbeid",
    "nav",
    "helse",
    "omsorg",
    "barnefamilier",
    "unge",
    "midlertidig",
    "oppfølging",
    "veileder",
    "koordinator",
    "plan",
    "planen",
    "tiltak",
    "prosjekt",
    "husbanken",
    "utleie",
    "kommunale",
    "boligsosial",
    "arbeid",
    "rus",
    "psykisk",
    "helse",
    "flyktninger",
    "bosetting",
    "økonomi",
    "gjeld",
    "rådgivning",
    "tjenester",
    "vedtak",
    "strategi",
    "evaluering",
    "resultat",
    "mål",
    "innsats",
    "tverrfaglig",
    "team",
    "bydel",
    "kartlegging",
    "behov",
    "ventetid",
    "tildeling",
    "kvalitet",
    "eldre",
    "tilpasset",
    "universell",
    "utforming",
    "sentrum",
    "distrikt",
    "nabolag",
    "trygghet",
    "fellesskap",
]
SMALL = [
    "og",
    "i",
    "på",
    "med",
    "for",
    "til",
    "av",
    "som",
    "har",
    "vi",
    "det",
    "er",
    "en",
    "et",
    "de",
    "ble",
    "blir",
    "skal",
    "kan",
]


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS if rng.random() < 0.6 else SMALL) for _ in range(rng.randint(6, 14))]
    return " ".join(words).capitalize() + "."


def synthetic_answer(rng: random.Random) -> str:
    return "SYNTHETIC: " + " ".join(sentence(rng) for _ in range(rng.randint(2, 6)))


def _new_id(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def fill(engine: Engine, seed: int) -> int:
    """Rounds, reports and one submitted kept version each, written directly (SYNTHETIC)."""
    rng = random.Random(seed)
    count = 0
    with engine.begin() as connection:
        for year in YEARS:
            round_id = _new_id(
                connection.execute(
                    insert(reporting_round).values(
                        programme_id=PROGRAMME,
                        year=year,
                        form_version="synthetic",
                        opens_at=AT,
                        closes_at=AT,
                        state="closed",
                        created_at=AT,
                        created_by="benchmark (SYNTHETIC)",
                    )
                )
            )
            for code in MUNICIPALITIES:
                report_id = _new_id(
                    connection.execute(
                        insert(report).values(
                            round_id=round_id,
                            municipality_code=code,
                            state="submitted",
                            version=2,
                            created_at=AT,
                            created_by="benchmark",
                            updated_at=AT,
                            updated_by="benchmark",
                        )
                    )
                )
                answers = {qid: {"text": synthetic_answer(rng)} for qid in QUESTIONS}
                count += len(answers)
                connection.execute(
                    insert(report_version).values(
                        report_id=report_id,
                        version=2,
                        state="submitted",
                        form_version="synthetic",
                        recorded_at=AT,
                        actor="benchmark",
                        answers_json=json.dumps(answers, ensure_ascii=False),
                    )
                )
    return count


def queries(seed: int, count: int) -> list[str]:
    rng = random.Random(seed + 1)
    made: list[str] = []
    for _ in range(count):
        kind = rng.random()
        first, second = rng.choice(WORDS), rng.choice(WORDS)
        if kind < 0.4:
            made.append(first)
        elif kind < 0.7:
            made.append(f"{first} {second}")
        elif kind < 0.8:
            made.append(f'"{first} {rng.choice(SMALL)}"')
        elif kind < 0.9:
            made.append(f"{first} -{second}")
        else:
            made.append(f"{first} or {second}")
    return made


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(name: str, engine: Engine, count: int, seed: int) -> None:
    migrate(engine)
    answers = fill(engine, seed)
    store = CodingStore(engine)
    start = time.perf_counter()
    store.refresh_search()
    indexing = time.perf_counter() - start
    region = MUNICIPALITIES[:20]
    for label, municipalities in (("analyst, all municipalities", None), ("adviser, 20 municipalities", region)):
        for query in queries(seed, 20):  # warm up
            store.search(PROGRAMME, query, municipalities=municipalities)
        times: list[float] = []
        hits = 0
        for query in queries(seed, count):
            start = time.perf_counter()
            found = store.search(PROGRAMME, query, municipalities=municipalities)
            times.append((time.perf_counter() - start) * 1000)
            hits += len(found)
        print(
            f"{name:10} {label:28} {answers} SYNTHETIC answers, {count} searches "
            f"(mean {hits / count:.0f} hits, at most 50): p50 {statistics.median(times):.1f} ms, "
            f"p95 {percentile(times, 0.95):.1f} ms, max {max(times):.1f} ms"
        )
    print(f"{name:10} building the search documents once: {indexing * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2018)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine_for(f"sqlite:///{Path(tmp) / 'bench.sqlite'}")
        try:
            measure("SQLite", engine, args.queries, args.seed)
        finally:
            engine.dispose()
    base = os.environ.get("BOLIGMONITOR_TEST_POSTGRES_URL", "").strip()
    if not base:
        print("PostgreSQL: skipped (set BOLIGMONITOR_TEST_POSTGRES_URL; scripts/postgres-test-server start)")
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine_for(base)
    with admin.begin() as connection:
        connection.execute(CreateSchema(schema))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = create_engine_for(url.render_as_string(hide_password=False))
    try:
        measure("PostgreSQL", engine, args.queries, args.seed)
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(DropSchema(schema, cascade=True))
        admin.dispose()


if __name__ == "__main__":
    main()
