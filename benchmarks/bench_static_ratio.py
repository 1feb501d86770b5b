"""How close the monitor comes to static files, and whether a new data version stalls it (issue 11).

One run, on loopback only, bounded in time:

1. Renders 400 theme pages (`/region/{code}/tema/{theme}`, a fixed sample of municipalities × themes) to
   static files, each with a `.gz` beside it, and serves them with Debian's nginx (`gzip_static on`, as many
   worker processes as the monitor has) from a temporary configuration on 127.0.0.1.
2. Starts `boligmonitor serve --workers 2` on another loopback port, on a copy of the database.
3. `wrk` (Debian package) against both, one after the other, over the same URL list (a Lua script cycling
   it), with `Accept-Encoding: gzip`: 32 connections × 20 s each (after a short warm-up of each); prints
   req/s, p50, p99 for both and the ratio. Targets: ratio ≥ 0.5, monitor p99 < 50 ms.
4. 128 connections × 20 s against both. Target: no errors.
5. Reload under load: 24 connections on the theme pages and 8 on `/static/favicon.svg` while
   `boligmonitor import` commits a new data version (one SYNTHETIC value changed) to the server's database.
   Reports the static file's maximum latency (target < 250 ms), errors (target 0), how long until every
   worker served the new version, and checks that no API answer mixed the two versions (its data version
   and the changed value must agree).

    uv run python benchmarks/bench_static_ratio.py [--database sqlite:///var/boligmonitor.sqlite]
        [--duration 20] [--workers 2] [--cli ".venv/bin/boligmonitor"]

`--cli` runs another checkout's command (`--workers 0` leaves out `--workers`, for code that predates it), so
the same run measures a before. Needs `apt-get install nginx-light wrk` (or nginx) and a built database
(`BOLIGMONITOR_SERVE=0 scripts/run`).
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

from boligmonitor.catalog import load_catalog
from boligmonitor.store import Store, create_engine_for

REPO = Path(__file__).resolve().parent.parent
PAGES = 400
GZIP_LEVEL = 6  # what the monitor uses
CHANGED = ("BEF03", "4601", 2024)  # the value the reload run changes (SYNTHETIC new value)


@dataclass(frozen=True)
class WrkResult:
    label: str
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    max_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def line(self) -> str:
        return (
            f"  {self.label:34s} {self.rate:8.0f} req/s   p50 {self.p50_ms:6.1f} ms   p99 {self.p99_ms:6.1f} ms"
            f"   max {self.max_ms:7.1f} ms   errors {self.errors}"
        )


# ------------------------------------------------------------------------------------------ the two servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def copy_database(url: str, target: Path) -> str:
    """A consistent copy of an SQLite database (the backup API, so a WAL is included)."""
    source_path = make_url(url).database
    if source_path is None:
        raise SystemExit(f"not an SQLite file: {url}")
    source, copy = sqlite3.connect(source_path), sqlite3.connect(target)
    with copy:
        source.backup(copy)
    source.close()
    copy.close()
    return f"sqlite:///{target}"


def theme_urls(database: str, count: int) -> list[str]:
    store = Store(create_engine_for(database))
    municipalities = [region.code for region in store.regions("municipality")]
    store.close()
    themes = [theme.id for theme in load_catalog().themes]
    every = [f"/region/{code}/tema/{theme}" for code in municipalities for theme in themes]
    return random.Random(11).sample(every, min(count, len(every)))


def start_monitor(cli: list[str], port: int, database: str, workers: int, log: Path) -> subprocess.Popen[bytes]:
    command = [*cli, "serve", "--host", "127.0.0.1", "--port", str(port), "--database", database]
    if workers:
        command += ["--workers", str(workers)]
    return subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)


def wait_until_serving(server: subprocess.Popen[bytes], base: str, timeout: float = 600) -> None:
    """Until the server answers and all its processes are idle (every worker has loaded and warmed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server at {base} exited with status {server.returncode}")
        try:
            if httpx.get(base + "/", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    else:
        raise SystemExit(f"the server at {base} did not start")
    pids = [server.pid, *children(server.pid)]
    while time.monotonic() < deadline:
        if all(cpu_seconds(pid, 1.0) < 0.1 for pid in pids):
            return
    raise SystemExit(f"the server at {base} did not settle")


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def cpu_seconds(pid: int, interval: float) -> float:
    def total() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    before = total()
    time.sleep(interval)
    return total() - before


def render_site(base: str, urls: list[str], root: Path) -> int:
    """Each page as the monitor sends it (identity), as a file and a `.gz` beside it; returns total bytes."""
    total = 0
    with httpx.Client(base_url=base, headers={"Accept-Encoding": "identity"}, timeout=60) as client:
        for url in urls:
            response = client.get(url)
            response.raise_for_status()
            path = root / url.lstrip("/")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(response.content)
            path.with_name(path.name + ".gz").write_bytes(gzip.compress(response.content, GZIP_LEVEL, mtime=0))
            total += len(response.content)
    return total


def start_nginx(root: Path, port: int, workers: int, directory: Path) -> subprocess.Popen[bytes]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise SystemExit("nginx is missing: apt-get install nginx-light")
    for path in [root, *root.rglob("*")]:  # nginx's workers run as nobody
        path.chmod(0o755 if path.is_dir() else 0o644)
    for parent in root.parents:
        if parent == Path("/"):
            break
        parent.chmod(parent.stat().st_mode | 0o055)
    temp = directory / "nginx-temp"
    temp.mkdir(mode=0o777, exist_ok=True)
    temp.chmod(0o777)
    config = directory / "nginx.conf"
    config.write_text(
        f"""
worker_processes {max(workers, 1)};
daemon off;
pid {directory / "nginx.pid"};
error_log {directory / "nginx-error.log"} warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    default_type "text/html; charset=utf-8";
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        gzip_static on;
        location / {{ try_files $uri =404; }}
    }}
}}
"""
    )
    server = subprocess.Popen([nginx, "-c", str(config), "-p", str(directory), "-e", "stderr"], start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
            return server
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("nginx did not start")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, 15)  # the server's own process group (start_new_session): its workers too
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait()


# -------------------------------------------------------------------------------------------------- wrk


def wrk_script(paths: list[str], directory: Path, name: str) -> Path:
    script = directory / f"{name}.lua"
    script.write_text(
        "paths = {" + ",".join(f'"{path}"' for path in paths) + "}\n"
        "counter = 0\n"
        "setup = function(thread)\n"
        "  thread:set('offset', math.random(#paths))\n"
        "end\n"
        "init = function(args)\n"
        "  counter = offset or 0\n"
        "end\n"
        "request = function()\n"
        "  counter = counter + 1\n"
        "  return wrk.format(nil, paths[(counter % #paths) + 1])\n"
        "end\n"
        "done = function(summary, latency, requests)\n"
        "  local e = summary.errors\n"
        "  io.write(string.format('RESULT %d %d %d %d %d %d\\n', summary.requests, summary.duration,"
        " e.connect + e.read + e.write + e.status + e.timeout,"
        " latency:percentile(50), latency:percentile(99), latency.max))\n"
        "end\n"
    )
    return script


def wrk(label: str, base: str, script: Path, connections: int, seconds: int) -> WrkResult:
    command = [
        shutil.which("wrk") or "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",  # a slow answer is a latency to report, not a timeout
        "-H",
        "Accept-Encoding: gzip",
        "-s",
        str(script),
        base,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    requests, duration_us, errors, p50, p99, longest = (int(value) for value in line.split()[1:])
    return WrkResult(label, requests, duration_us / 1e6, errors, p50 / 1000, p99 / 1000, longest / 1000)


# ------------------------------------------------------------------------------------- reload under load


@dataclass
class VersionWatch:
    """Polls an API answer that shows both the data version and the changed value; counts mixed answers."""

    base: str
    old_version: int
    old_value: float
    new_value: float
    answers: int = 0
    mixed: int = 0
    errors: int = 0
    first_new: float | None = None

    def run(self, until: threading.Event, started: float) -> None:
        indicator, region, year = CHANGED
        url = f"/api/v1/observations?indicator={indicator}&region={region}&year={year}"
        with httpx.Client(base_url=self.base, timeout=30) as client:
            while not until.is_set():
                try:
                    answer = client.get(url, headers={"Connection": "close"})  # a new connection: any worker
                    version, value = observed(answer)
                except (httpx.HTTPError, ValueError):
                    self.errors += 1
                    continue
                self.answers += 1
                if (version == self.old_version) != (value == self.old_value):
                    self.mixed += 1
                if version != self.old_version and self.first_new is None:
                    self.first_new = time.monotonic() - started
                time.sleep(0.02)


def observed(answer: httpx.Response) -> tuple[int, float]:
    answer.raise_for_status()
    document = answer.json()
    return int(document["data_version"]["id"]), float(document["observations"][0]["value"])


def every_worker_serves(base: str, version: int, timeout: float = 120, tries: int = 40) -> bool:
    """Whether, within ``timeout`` seconds, ``tries`` answers in a row on new connections (any worker) show
    ``version``."""
    indicator, region, year = CHANGED
    url = f"{base}/api/v1/observations?indicator={indicator}&region={region}&year={year}"
    deadline = time.monotonic() + timeout
    in_a_row = 0
    while in_a_row < tries and time.monotonic() < deadline:
        shown = observed(httpx.get(url, headers={"Connection": "close"}, timeout=30))[0]
        in_a_row = in_a_row + 1 if shown == version else 0
    return in_a_row >= tries


def reload_under_load(
    cli: list[str], base: str, server_pid: int, database: str, urls: list[str], directory: Path, seconds: int
) -> tuple[WrkResult, WrkResult, VersionWatch, float]:
    old_version, old_value = observed(
        httpx.get(f"{base}/api/v1/observations?indicator={CHANGED[0]}&region={CHANGED[1]}&year={CHANGED[2]}")
    )
    new_value = round(old_value + 11.1, 1)
    change = directory / "synthetic-change.csv"
    change.write_text(f"indicator,region,year,value\n{CHANGED[0]},{CHANGED[1]},{CHANGED[2]},{new_value}\n")
    pages = wrk_script(urls, directory, "pages")
    static = wrk_script(["/static/favicon.svg"], directory, "static")
    workers_before = sorted(children(server_pid))
    results: dict[str, WrkResult] = {}

    def run(label: str, script: Path, connections: int) -> None:
        results[label] = wrk(label, base, script, connections, seconds)

    runs = [
        threading.Thread(target=run, args=("theme pages, 24 connections", pages, 24)),
        threading.Thread(target=run, args=("/static/favicon.svg, 8 connections", static, 8)),
    ]
    watch = VersionWatch(base, old_version, old_value, new_value)
    done = threading.Event()
    started = time.monotonic()
    watcher = threading.Thread(target=watch.run, args=(done, started))
    for thread in [*runs, watcher]:
        thread.start()
    time.sleep(3)
    commit_started = time.monotonic()
    subprocess.run([*cli, "import", str(change), "--database", database], check=True, capture_output=True)
    committed_after = time.monotonic() - commit_started
    for thread in runs:
        thread.join()
    done.set()
    watcher.join()
    if watch.first_new is not None:
        watch.first_new -= 3 + committed_after  # from the commit
    if not every_worker_serves(base, old_version + 1):
        print("  the new data version did not reach every worker within 2 minutes after the run")
    if sorted(children(server_pid)) != workers_before:
        print(f"  a worker was replaced during the run: {workers_before} -> {sorted(children(server_pid))}")
    return results["/static/favicon.svg, 8 connections"], results["theme pages, 24 connections"], watch, committed_after


# ------------------------------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=f"sqlite:///{REPO / 'var' / 'boligmonitor.sqlite'}")
    parser.add_argument("--duration", type=int, default=20, help="seconds of each measured run")
    parser.add_argument("--workers", type=int, default=2, help="monitor workers (0: leave the option out)")
    parser.add_argument("--cli", default=str(Path(sys.executable).parent / "boligmonitor"), help="the command")
    parser.add_argument("--skip-reload", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true", help="only the reload under load")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    cli = shlex.split(args.cli)
    directory = Path(tempfile.mkdtemp(prefix="bench-static-ratio-"))
    servers: list[subprocess.Popen[bytes]] = []
    try:
        database = copy_database(args.database, directory / "monitor.sqlite")
        urls = theme_urls(database, PAGES)
        monitor_base = f"http://127.0.0.1:{free_port()}"
        print(f"static ratio benchmark: {len(urls)} theme pages, {os.cpu_count()} cores, monitor: {args.cli}")
        start = time.monotonic()
        monitor = start_monitor(
            cli, int(monitor_base.rsplit(":", 1)[1]), database, args.workers, directory / "monitor.log"
        )
        servers.append(monitor)
        wait_until_serving(monitor, monitor_base)
        print(f"  monitor ready in {time.monotonic() - start:.0f} s ({args.workers or 'default'} workers)")
        size = render_site(monitor_base, urls, directory / "site")
        print(f"  rendered {len(urls)} pages to static files ({size / len(urls) / 1024:.0f} KB each, identity)")
        nginx_port = free_port()
        servers.append(start_nginx(directory / "site", nginx_port, args.workers or 2, directory))
        nginx_base = f"http://127.0.0.1:{nginx_port}"
        script = wrk_script(urls, directory, "pages")
        for base in (nginx_base, monitor_base):
            wrk("warm-up", base, script, 32, 10)  # every page rendered in every worker before measuring

        if not args.skip_throughput:
            print(f"32 connections × {args.duration} s, gzip, the same {len(urls)} URLs")
            static = wrk("nginx, static files", nginx_base, script, 32, args.duration)
            dynamic = wrk("boligmonitor serve", monitor_base, script, 32, args.duration)
            print(static.line())
            print(dynamic.line())
            print(
                f"  ratio (monitor / nginx req/s): {dynamic.rate / static.rate:.2f}"
                "   (target ≥ 0.5; monitor p99 < 50 ms)"
            )

            print(f"128 connections × {args.duration} s")
            print(wrk("nginx, static files", nginx_base, script, 128, args.duration).line())
            print(wrk("boligmonitor serve", monitor_base, script, 128, args.duration).line() + "   (target: 0 errors)")

        if not args.skip_reload:
            print(f"reload under load: a new data version committed 3 s into a {args.duration + 10} s run")
            static_run, pages_run, watch, commit = reload_under_load(
                cli, monitor_base, monitor.pid, database, urls, directory, args.duration + 10
            )
            print(static_run.line() + "   (target: max < 250 ms, 0 errors)")
            print(pages_run.line())
            seen = "never" if watch.first_new is None else f"{watch.first_new:.1f} s after the commit"
            print(
                f"  import committed in {commit:.1f} s; new version first served {seen}; API answers checked"
                f" {watch.answers}, mixing the two versions {watch.mixed}, errors {watch.errors}"
            )
            if static_run.errors or pages_run.errors:
                log = (directory / "monitor.log").read_text(errors="replace").splitlines()
                print("  the monitor's log, last lines:\n" + "\n".join("    " + line for line in log[-40:]))
    finally:
        for server in reversed(servers):
            stop(server)
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
