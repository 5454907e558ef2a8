"""Rotations: the matching engine on 10,000 applicants over 1,000 openings, and the `matching` package on the same."""
from __future__ import annotations

import random
import sys
import threading
import time
import warnings
from datetime import date, timedelta

from sqlalchemy import insert, select

from rotation import services
from rotation.matching import Instance, blocking_pairs, deferred_acceptance, over_capacity
from rotation.models import Application, Choice, Cohort, HostRank, Opening, Program
from tests.bench.harness import Bench, bench_app, measure, session_cookie, time_request
from webapp import clock
from webapp.extensions import db
from webapp.people.models import Function, RoleGrant, User
from webapp.roles import Role

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


CHUNK = 10_000


def _bulk(model, rows: list[dict]) -> None:
    for first in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[first:first + CHUNK])


def seed_cohort(instance: Instance) -> tuple[int, int]:
    """The instance as a cohort in the database (window closed, all approved, hosts ranked): (cohort id, HR id)."""
    now = clock.now()
    today = clock.today()
    db.session.add_all([Function(name="Finance", code="FIN"), Function(name="Operations", code="OPS")])
    db.session.flush()
    finance, operations = db.session.scalars(select(Function.id).order_by(Function.id)).all()
    hr = User(email="hr@bench.example", name="Hana HR", function_id=finance, hired_on=date(2015, 1, 1))
    db.session.add(hr)
    db.session.flush()
    db.session.add(RoleGrant(user_id=hr.id, role=Role.HR.value))
    program = Program(name="Bench exchange", purpose="", duration_weeks=12)
    db.session.add(program)
    db.session.flush()
    cohort = Cohort(program_id=program.id, name="Bench", applications_open_on=today - timedelta(days=60),
                    applications_close_on=today - timedelta(days=5), matching_on=today,
                    starts_on=today + timedelta(days=14), ends_on=today + timedelta(days=98))
    db.session.add(cohort)
    db.session.flush()
    people = [{"email": f"p{i}@bench.example", "name": f"Person {i:05d}", "job_title": "", "active": True,
               "function_id": finance, "hired_on": date(2015, 1, 1), "session_version": 1, "created_at": now}
              for i in range(len(instance.applicant_prefs))]
    _bulk(User, people)
    applicant_ids = db.session.scalars(select(User.id).where(User.id != hr.id).order_by(User.id)).all()
    _bulk(Opening, [{"id": o, "cohort_id": cohort.id, "function_id": operations, "host_manager_id": hr.id,
                     "mentor_id": hr.id, "title": f"Opening {o:04d}", "activities": "", "learning": "", "skills": "",
                     "capacity": instance.capacities[o], "time_share_percent": 100, "created_at": now}
                    for o in instance.capacities])
    applications = dict(zip(instance.applicant_prefs, applicant_ids, strict=True))
    _bulk(Application, [{"id": a, "cohort_id": cohort.id, "applicant_id": person, "home_manager_id": hr.id,
                         "statement": "", "learning_goals": "", "status": "approved", "decision_comment": "",
                         "created_at": now} for a, person in applications.items()])
    _bulk(Choice, [{"application_id": a, "rank": rank, "opening_id": o}
                   for a, prefs in instance.applicant_prefs.items() for rank, o in enumerate(prefs, start=1)])
    _bulk(HostRank, [{"opening_id": o, "application_id": a, "rank": rank}
                     for o, prefs in instance.host_prefs.items() for rank, a in enumerate(prefs, start=1)])
    db.session.commit()
    return cohort.id, hr.id


def run_in_app(bench: Bench, instance: Instance) -> None:
    """run_match and the match page through the app, on the same instance stored in the database."""
    app = bench_app(bench.database_url)
    with app.app_context():
        started = time.perf_counter()
        cohort_id, hr_id = seed_cohort(instance)
        bench.figure("  bulk set-up of the cohort in the database", time.perf_counter() - started, "s")
        hr, cohort = db.session.get_one(User, hr_id), db.session.get_one(Cohort, cohort_id)
        seconds = _seconds(lambda: services.run_match(hr, cohort, clock.today()))
        db.session.commit()
        bench.figure("rotation.services.run_match in the app (draft of 10,000 rows)", seconds, "s")
        cookie = session_cookie(app, hr)
    client = app.test_client()
    client.set_cookie(*cookie.split("=", 1))
    for label, url in [("match page, first page", f"/rotation/cohorts/{cohort_id}/match"),
                       ("match page, unmatched filter", f"/rotation/cohorts/{cohort_id}/match?show=unmatched"),
                       ("match page, a later page", f"/rotation/cohorts/{cohort_id}/match?after=5000"),
                       ("move picker, searched", f"/rotation/cohorts/{cohort_id}/match/applications/5000/move?q=09")]:
        ms, queries = time_request(app, client, url, repeats=5)
        bench.figure(f"  {label}: median server time", ms, "ms")
        bench.figure(f"  {label}: SQL queries, bytes", f"{queries}, {len(client.get(url).data):,}")


def run(bench: Bench) -> None:
    bench.section(f"Rotation matching: {APPLICANTS:,} applicants, {OPENINGS:,} openings (capacity 1-3, "
                  f"{CHOICES} preferences each)")
    instance = random_instance(APPLICANTS, OPENINGS)
    result: dict = {}
    bench.figure(
        "rotation.matching.deferred_acceptance", _seconds(lambda: result.update(deferred_acceptance(instance))), "s"
    )
    bench.figure("  peak Python memory (tracemalloc)", measure(lambda: deferred_acceptance(instance))[1], "MiB")
    bench.figure("  seats / applicants matched", f"{sum(instance.capacities.values())} / {len(result)}")
    if blocking_pairs(instance, result) or over_capacity(instance, result):
        raise AssertionError("the engine's result is not stable or breaks a capacity")
    bench.figure("  blocking pairs / over-capacity openings", "0 / 0")
    run_in_app(bench, instance)

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
    bench.figure(
        f"  engine peak memory, {SMALL_APPLICANTS:,} applicants", measure(lambda: deferred_acceptance(small))[1], "MiB"
    )


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
