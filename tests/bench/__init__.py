"""`make bench`: figures, never pass/fail. Each bench_*.py module here has run(bench: Bench)."""
