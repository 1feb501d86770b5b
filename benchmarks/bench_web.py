"""Speed, load, page weight and memory of the web monitor (issue 5's targets).

1. Server time per page, in process through the ASGI app (no network, so it is the server's own time plus a
   little test-client overhead): every municipality × theme page (357 × 10), first visit with cold caches
   and again warm; plus every overview, indicator and a sample of time-series and compare pages.
   Targets: median under 20 ms, 95th percentile under 60 ms on 2 cores.
2. A loopback load run: `boligmonitor serve` in its own process, `wrk` (Debian package) with 32
   connections for 60 s over municipality × theme URLs; errors must be 0.
3. The transfer size of a first page load: the front page and every stylesheet, script and icon it links,
   gzip as served. Target under 300 KB.
4. The server's resident memory with all data loaded (after warm-up and after the load run). Target under
   400 MB.

    uv run python benchmarks/bench_web.py [--database sqlite:///var/boligmonitor.sqlite] [--duration 60]

The database must exist: `BOLIGMONITOR_SERVE=0 scripts/run` builds it.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from boligmonitor.catalog import load_catalog
from boligmonitor.store import Store, create_engine_for

REPO = Path(__file__).resolve().parent.parent


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def describe(label: str, milliseconds: list[float]) -> str:
    return (
        f"  {label:38s} n={len(milliseconds):5d}  median {statistics.median(milliseconds):6.1f} ms"
        f"  p95 {percentile(milliseconds, 0.95):6.1f} ms  max {max(milliseconds):7.1f} ms"
    )


def timed(client: TestClient, urls: Iterable[str]) -> list[float]:
    times = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
    return times


def server_times(database: str) -> None:
    from boligmonitor.web.app import create_app

    catalog = load_catalog()
    store = Store(create_engine_for(database))
    municipalities = [r.code for r in store.regions("municipality")]
    store.close()
    themes = [theme.id for theme in catalog.themes]
    theme_urls = [f"/region/{code}/tema/{theme}" for code in municipalities for theme in themes]
    start = time.perf_counter()
    app = create_app(database)
    print(f"server time per page (in process; app start-up {time.perf_counter() - start:.1f} s)")
    with TestClient(app) as client:
        cold = timed(client, theme_urls)
        warm = timed(client, theme_urls)
        print(describe("municipality × theme, first visit", cold))
        print(describe("municipality × theme, again", warm))
        overviews = [f"/region/{code}" for code in municipalities]
        print(describe("overview /region/{code}, first visit", timed(client, overviews)))
        indicator_urls = [f"/indikator/{indicator.id}" for indicator in catalog.indicators]
        print(describe("indicator /indikator/{id}, first visit", timed(client, indicator_urls)))
        print(describe("indicator /indikator/{id}, again", timed(client, indicator_urls)))
        sample = random.Random(5).sample(municipalities, 40)
        series = [f"/region/{code}/indikator/{i}" for code in sample for i in ("BEF03", "EL10", "BEF01")]
        print(describe("time series, first visit", timed(client, series)))
        compare = ["/sammenlign?" + "&".join(f"kommune={c}" for c in sample[i : i + 10]) for i in range(0, 40, 10)]
        print(describe("compare 10 municipalities", timed(client, compare * 3)))
        print(describe("front page", timed(client, ["/"] * 50)))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def resident_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def transfer_size(base: str) -> None:
    with httpx.Client(base_url=base, headers={"Accept-Encoding": "gzip"}) as client:
        size, body = wire_size(client, "/")
        assets = re.findall(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"', body.decode("utf-8"))
        rows = [("/", size)]
        rows += [(asset, wire_size(client, asset)[0]) for asset in dict.fromkeys(assets)]
    print("transfer size of a first page load (bodies as sent, gzip where the server compresses; no headers)")
    for url, size in rows:
        print(f"  {url:45s} {size / 1024:7.1f} KB")
    total = sum(size for _, size in rows)
    print(f"  {'total':45s} {total / 1024:7.1f} KB   (target < 300 KB)")


def wire_size(client: httpx.Client, url: str) -> tuple[int, bytes]:
    """Bytes of the body as sent (compressed when gzipped) and the decoded body."""
    with client.stream("GET", url) as response:
        raw = b"".join(response.iter_raw())
    decoded = gzip.decompress(raw) if response.headers.get("content-encoding") == "gzip" else raw
    return len(raw), decoded


def load_run(database: str, duration: int) -> None:
    wrk = shutil.which("wrk")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cli = str(Path(sys.executable).parent / "boligmonitor")
    env = dict(os.environ, BOLIGMONITOR_DATABASE_URL=database)
    server = subprocess.Popen([cli, "serve", "--port", str(port), "--warm"], env=env, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            raise SystemExit("the server did not start")
        print(f"server resident memory after start-up and warm-up: {resident_mib(server.pid):.0f} MiB (target < 400)")
        transfer_size(base)
        if wrk is None:
            print("load run skipped: install Debian's wrk (apt-get install wrk)")
            return
        store = Store(create_engine_for(database))
        municipalities = [r.code for r in store.regions("municipality")]
        store.close()
        themes = [theme.id for theme in load_catalog().themes]
        paths = [f"/region/{code}/tema/{theme}" for code in municipalities for theme in themes]
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write("paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n")
            script.write(
                "counter = 0\n"
                "request = function()\n"
                "  counter = counter + 1\n"
                "  return wrk.format('GET', paths[(counter % #paths) + 1])\n"
                "end\n"
                "done = function(summary, latency, requests)\n"
                "  io.write(string.format('  non-2xx or socket errors: %d\\n', summary.errors.status"
                " + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))\n"
                "end\n"
            )
        result = subprocess.run(
            [wrk, "-t2", "-c32", f"-d{duration}s", "--latency", "-H", "Accept-Encoding: gzip", "-s", script.name, base],
            capture_output=True,
            text=True,
            check=True,
        )
        print(f"load run: wrk, 32 connections, {duration} s, municipality × theme pages")
        print("\n".join("  " + line for line in result.stdout.strip().splitlines()))
        print(f"server resident memory after the load run: {resident_mib(server.pid):.0f} MiB")
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=f"sqlite:///{REPO / 'var' / 'boligmonitor.sqlite'}")
    parser.add_argument("--duration", type=int, default=60, help="seconds of the load run")
    parser.add_argument("--skip-pages", action="store_true", help="only the load run, size and memory")
    args = parser.parse_args()
    print(f"web monitor benchmark on {args.database} ({os.cpu_count()} cores)")
    if not args.skip_pages:
        server_times(args.database)
    load_run(args.database, args.duration)


if __name__ == "__main__":
    main()
