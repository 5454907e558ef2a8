"""Rotations: the matching engine on 10,000 applicants over 1,000 openings, and the `matching` package on the same."""
from __future__ import annotations

import random
import sys
import threading
import time
import warnings

from rotation.matching import Instance, blocking_pairs, deferred_acceptance, over_capacity
from tests.bench.harness import Bench, measure

APPLICANTS = 10_000
OPENINGS = 1_000
CHOICES = 5
SMALL_APPLICANTS = 1_000  # the package's memory is traced at this size


def random_instance(applicants: int, openings: int, seed: int = 11) -> Instance:
    """Five distinct openings per applicant; capacity 1 to 3; each host ranks everyone who chose it, at random."""
    rng = random.Random(seed)
    opening_ids = list(range(openings))
    applicant_prefs = {a: rng.sample(opening_ids, CHOICES) for a in range(openings, openings + applicants)}
    chose: dict[int, list[int]] = {o: [] for o in opening_ids}
    for applicant, prefs in applicant_prefs.items():
        for opening in prefs:
            chose[opening].append(applicant)
    for ranked in chose.values():
        rng.shuffle(ranked)
    return Instance(applicant_prefs, chose, {o: rng.randint(1, 3) for o in opening_ids})


def solve_with_matching_package(instance: Instance) -> dict:
    """The same instance through matching.games.HospitalResident (resident-optimal)."""
    from matching.games import HospitalResident

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        game = HospitalResident.create_from_dictionaries(
            dict(instance.applicant_prefs), dict(instance.host_prefs), dict(instance.capacities))
        solved = game.solve(optimal="resident")
    return {r.name: h.name for h, taken in solved.items() for r in taken}


def run(bench: Bench) -> None:
    bench.section(f"Rotation matching: {APPLICANTS:,} applicants, {OPENINGS:,} openings (capacity 1-3, "
                  f"{CHOICES} preferences each)")
    instance = random_instance(APPLICANTS, OPENINGS)
    result: dict = {}
    bench.figure("rotation.matching.deferred_acceptance", _seconds(lambda: result.update(deferred_acceptance(instance))), "s")
    bench.figure("  peak Python memory (tracemalloc)", measure(lambda: deferred_acceptance(instance))[1], "MiB")
    bench.figure("  seats / applicants matched", f"{sum(instance.capacities.values())} / {len(result)}")
    if blocking_pairs(instance, result) or over_capacity(instance, result):
        raise AssertionError("the engine's result is not stable or breaks a capacity")
    bench.figure("  blocking pairs / over-capacity openings", "0 / 0")

    reference: dict = {}
    seconds: list[float] = []
    _deep_stack(lambda: seconds.append(_seconds(lambda: reference.update(solve_with_matching_package(instance)))))
    bench.figure("matching package HospitalResident, same instance", seconds[0], "s")
    bench.figure("  same matching as the engine", "yes" if reference == result else "NO")
    if reference != result:
        raise AssertionError("the engine and the matching package disagree")
    small = random_instance(SMALL_APPLICANTS, SMALL_APPLICANTS // 10)
    peaks: list[float] = []
    _deep_stack(lambda: peaks.append(measure(lambda: solve_with_matching_package(small))[1]))
    bench.figure(f"  package peak memory, {SMALL_APPLICANTS:,} applicants (traced small: slow)", peaks[0], "MiB")
    bench.figure(f"  engine peak memory, {SMALL_APPLICANTS:,} applicants", measure(lambda: deferred_acceptance(small))[1],
                 "MiB")


def _seconds(fn) -> float:
    """Wall seconds of one call, without tracemalloc (which slows the package's deep copies a lot)."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _deep_stack(fn) -> None:
    """Run fn in a thread with a deep stack: the package deep-copies its linked players recursively."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1_000_000)
    threading.stack_size(512 * 2**20)
    try:
        worker = threading.Thread(target=fn)
        worker.start()
        worker.join()
    finally:
        threading.stack_size(0)
        sys.setrecursionlimit(limit)
