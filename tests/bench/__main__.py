"""Run every benchmark module (tests/bench/bench_*.py), or those named: python -m tests.bench people.

The database is a fresh SQLite file, or BENCH_DATABASE_URL (an empty PostgreSQL database).
"""
from __future__ import annotations

import importlib
import os
import sys
import tempfile
from pathlib import Path

from tests.bench.harness import Bench


def main(names: list[str]) -> None:
    here = Path(__file__).parent
    modules = sorted(p.stem for p in here.glob("bench_*.py"))
    chosen = [m for m in modules if not names or m.removeprefix("bench_") in names]
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite"
        print(f"# Common Ground benchmarks on {url.split('://')[0]} ({os.cpu_count()} cores)", flush=True)
        bench = Bench(url)
        for name in chosen:
            importlib.import_module(f"tests.bench.{name}").run(bench)
        if bench.pages:
            print(f"\n## Pages on {url.split('://')[0]}: the cache warm (first view: empty cache); ratio = page req/s "
                  "over /health req/s, gunicorn 2 sync workers, wrk -t2 -c16 -d5s, same run\n", flush=True)
            print(bench.page_table(), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
