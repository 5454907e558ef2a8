"""Tools shared by the benchmark modules: a throwaway app, timing, SQL counting, gunicorn + wrk."""
from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import event

from tests.text import captured
from webapp import create_app
from webapp.cache import cache
from webapp.config import TestConfig
from webapp.extensions import db

REPEATS = int(os.environ.get("BENCH_REPEATS", "30"))
BENCH_SECRET_KEY = "bench-secret-key-" + "x" * 32  # shared by bench_app and gunicorn, so cookies work in both


@dataclass
class PageRow:
    """One page's line of the summary table."""

    page: str
    data: str
    ms: float
    queries: int
    first_view_queries: int
    ratio: float | None = None
    peak_mib: float | None = None


@dataclass
class Bench:
    """Collects figures and prints them as they come; pages also go to one summary table at the end."""

    database_url: str
    rows: list[tuple[str, str, str]] = field(default_factory=list)
    pages: list[PageRow] = field(default_factory=list)

    def section(self, title: str) -> None:
        print(f"\n## {title}", flush=True)

    def figure(self, name: str, value: float | str, unit: str = "") -> None:
        shown = f"{value:,.2f}" if isinstance(value, float) else str(value)
        self.rows.append((name, shown, unit))
        print(f"  {name:<58} {shown:>12} {unit}", flush=True)

    def page_table(self) -> str:
        """The summary: one line per page (markdown)."""
        header = (
            "| page | data | server ms p50 | SQL queries (first view) | ratio to bare route | peak MiB per worker |"
        )
        lines = [header, "|---|---|---:|---:|---:|---:|"]
        for row in self.pages:
            ratio = "n/a" if row.ratio is None else f"{row.ratio:.2f}"
            peak = "n/a" if row.peak_mib is None else f"{row.peak_mib:.0f}"
            lines.append(f"| {row.page} | {row.data} | {row.ms:.1f} | {row.queries} ({row.first_view_queries}) | "
                         f"{ratio} | {peak} |")
        return "\n".join(lines)


def bench_app(database_url: str) -> Flask:
    """An app on the bench database with a fresh schema (CSRF off: the bench drives it directly)."""
    config = type(
        "BenchConfig",
        (TestConfig,),
        {"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": False, "SECRET_KEY": BENCH_SECRET_KEY},
    )
    app = create_app(config)
    with app.app_context():
        with db.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # rows in a cycle (team <-> manager) of a prior run
            db.metadata.drop_all(conn)
        db.create_all()
    return app


@contextmanager
def count_queries(app: Flask) -> Iterator[list[str]]:
    """Record every SQL statement run on the app's engine inside the block."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def time_request(app: Flask, client, url: str, repeats: int = REPEATS, headers: dict | None = None,
                 status: int = 200) -> tuple[float, int]:
    """(median server ms, SQL queries per request) of GET url through the WSGI app, after one warm-up."""
    assert client.get(url, headers=headers).status_code == status, url
    with count_queries(app) as statements:
        client.get(url, headers=headers)
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        client.get(url, headers=headers)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), len(statements)


def first_view_queries(app: Flask, client, url: str) -> int:
    """SQL queries of GET url with an empty cache (what the first visitor after a write costs)."""
    with app.app_context():
        cache.clear()
    with count_queries(app) as statements:
        client.get(url)
    return len(statements)


def measure(run: Callable[[], object], traced: Callable[[], object] | None = None) -> tuple[float, float]:
    """(seconds, peak MiB of Python allocations) of one traced call of run.

    traced: a second call like run (the same work on other data). Then run is timed untraced and traced gives the
    peak: tracing allocations slows allocation-heavy work several times over."""
    if traced is not None:
        start = time.perf_counter()
        run()
        return time.perf_counter() - start, measure(traced)[1]
    tracemalloc.start()
    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, workers: int = 2, env: dict[str, str] | None = None) -> Iterator[tuple[str, int]]:
    """Serve webapp:create_app() with gunicorn on a free loopback port; yields (base URL, master pid).

    The cache is a fresh file cache (or the Redis of env's CACHE_REDIS_URL); env overrides the rest.
    """
    port = free_port()
    cache_dir = tempfile.mkdtemp(prefix="cg-cache-")
    env = {**os.environ, "DATABASE_URL": database_url, "COMMONGROUND_ENV": "development", "CACHE_DIR": cache_dir,
           "SECRET_KEY": BENCH_SECRET_KEY, "RATELIMIT_STORAGE_URI": "memory://", "CACHE_REDIS_URL": "",
           "REDIS_URL": "", **(env or {})}
    cmd = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--no-control-socket",
           "--log-level", "warning", "webapp:create_app()"]
    proc = subprocess.Popen(cmd, env=env, cwd=Path(__file__).resolve().parents[2], stdout=subprocess.DEVNULL)
    try:
        _wait_for(port)
        yield f"http://127.0.0.1:{port}", proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        shutil.rmtree(cache_dir, ignore_errors=True)


def _wait_for(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not start on port {port}")


def _assert_page(url: str, cookie: str | None, status: int = 200) -> None:
    """The URL answers status itself (wrk would count a redirect to the sign-in page as success)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    opener = urllib.request.build_opener(_NoRedirect)
    with opener.open(request, timeout=60) as response:
        if response.status != status:
            raise RuntimeError(f"{url} answered {response.status}, not {status}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise RuntimeError(f"{req.full_url} redirected ({code}) to {newurl}")


def wrk(url: str, cookie: str | None = None, seconds: int = 5, connections: int = 16, status: int = 200) -> float:
    """Requests per second that wrk measures for url, after checking it answers status."""
    _assert_page(url, cookie, status)
    cmd = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise RuntimeError(f"wrk saw {non2xx.group(1)} error responses from {url}")
    return float(captured(r"Requests/sec:\s+([\d.]+)", out))


def session_cookie(app: Flask, user) -> str:
    """A signed session cookie value that signs user in (for wrk)."""
    interface = app.session_interface
    assert isinstance(interface, SecureCookieSessionInterface)
    serializer = interface.get_signing_serializer(app)
    assert serializer is not None
    return f"{app.config['SESSION_COOKIE_NAME']}={serializer.dumps({'_user_id': user.get_id(), '_fresh': True})}"


@dataclass
class Page:
    """A page of the summary table: what to ask for, as whom, and what it answers."""

    label: str
    url: str
    cookie: str
    status: int = 200


def bench_pages(bench: Bench, app: Flask, data: str, pages: list[Page]) -> None:
    """Each page in process (p50 ms, queries cached and first view), then all under one gunicorn (2 workers):
    throughput as a ratio to the bare route of the same run, and the workers' peak memory."""
    rows = []
    for page in pages:
        client = app.test_client()
        client.set_cookie(*page.cookie.split("=", 1))
        ms, queries = time_request(app, client, page.url, status=page.status)
        rows.append(PageRow(page.label, data, ms, queries, first_view_queries(app, client, page.url)))
        bench.figure(f"{page.label}: median server time", ms, "ms")
        bench.figure(
            f"{page.label}: SQL queries per request (first view)", f"{queries} ({rows[-1].first_view_queries})"
        )
    if shutil.which("wrk") is None:
        bench.figure("throughput (wrk not installed: apt-get install wrk)", "n/a")
    else:
        with gunicorn(bench.database_url) as (base, master_pid):
            bare = wrk(base + "/health")
            bench.figure("bare route /health, gunicorn 2 workers", bare, "req/s")
            for page, row in zip(pages, rows, strict=True):
                row.ratio = wrk(base + page.url, page.cookie, status=page.status) / bare
                bench.figure(f"{page.label}: throughput ratio to the bare route", row.ratio, "x")
            peak = worker_peak_mib(master_pid)
        bench.figure("peak memory of a gunicorn worker (VmHWM) over these pages", peak, "MiB")
        for row in rows:
            row.peak_mib = peak
    bench.pages += rows


def worker_peak_mib(master_pid: int) -> float:
    """The largest peak resident set (VmHWM) of the gunicorn master's workers, in MiB."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    peaks = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks.append(int(captured(r"VmHWM:\s+(\d+) kB", status)) / 1024)
    return max(peaks)
