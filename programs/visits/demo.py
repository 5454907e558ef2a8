"""Demo data: 60 accounts and a year of visits (joint and not), notes, learnings, follow-ups in every state."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from programs.visits import services
from programs.visits.models import FollowUpStatus, Visit, VisitMode
from webapp.extensions import db
from webapp.people.demo import DEMO_ANCHOR, demo_login
from webapp.people.models import User

SEED = 20261205
ACCOUNTS = 60
VISITS = 260
PLANNED = 25
PREFIXES = [
    "Northwind", "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Tyrell", "Cyberdyne", "Soylent", "Hooli",
    "Vandelay", "Wonka", "Gringotts", "Monarch", "Oscorp", "Pied", "Piper", "Aperture", "Black", "Mesa", "Massive",
    "Dynamic"
]
SUFFIXES = ["Logistics", "Foods", "Retail", "Health", "Energy", "Manufacturing"]
SEGMENTS = ["Enterprise", "Mid-Market", "SMB"]
REGIONS = ["EMEA", "North America", "APAC", "LATAM"]
PURPOSES = ["Quarterly business review", "Renewal discussion", "Service incident debrief", "Pricing review",
            "Onboarding check-in", "Site tour and process walk-through", "Invoice dispute resolution"]
LEARNINGS = {
    "Finance": (["payment terms", "cost to serve", "pricing pressure", "invoice accuracy"],
                "Payment terms are stretching to 60 days; cost to serve is above plan for rush orders."),
    "Operations": (["service delivery", "quality", "lead times", "forecast accuracy"],
                   "Deliveries were on time this quarter; quality complaints came from one site."),
    "Sales": (["renewal risk", "expansion", "pricing pressure"], "Budget holders want a multi-year price."),
    "Customer Success": (["adoption", "support load", "quality"], "Adoption is uneven across their teams."),
}
CONTACTS = ["Jo Smith, CFO", "Sam Lee, Head of Procurement", "Ana Ruiz, COO", "Tom Berg, Logistics manager"]


def _at(day: date) -> datetime:
    return datetime.combine(day, time(16), tzinfo=UTC)


def seed_visits() -> str:
    """Create the accounts, visits, notes and follow-ups (needs the demo people)."""
    rng = random.Random(SEED)
    people = list(db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)))
    by_function: dict[str, list[User]] = {}
    for person in people:
        if person.function:
            by_function.setdefault(person.function.name, []).append(person)
    accounts = [_account(rng, n, people) for n in range(ACCOUNTS)]
    employee, manager = demo_login("employee"), demo_login("manager")
    visits = [_visit(rng, accounts, by_function, n, employee, manager) for n in range(VISITS + PLANNED)]
    held = [v for v in visits if v.status == "held"]
    for visit in held:
        _write_up(rng, visit)
    confirmed = _confirm_most(rng, held, keep_for=manager)
    follow_ups = sum(_follow_ups(rng, v) for v in held[::3])
    return (f"{len(accounts)} accounts, {len(visits)} visits ({sum(v.is_joint for v in visits)} joint, "
            f"{confirmed} confirmed), {follow_ups} follow-ups")


def _account(rng: random.Random, n: int, people: list[User]):
    name = f"{PREFIXES[n % len(PREFIXES)]} {SUFFIXES[n // len(PREFIXES) % len(SUFFIXES)]}"
    data = services.AccountData(name, rng.choice(SEGMENTS), rng.choice(REGIONS), rng.choice(people).id)
    return services.save_account(None, None, data)


def _visit(rng, accounts, by_function, n, employee: User, manager: User) -> Visit:
    """Visit n: the first ones pair the demo employee (Finance) with the demo manager (Operations)."""
    future = n >= VISITS
    day = DEMO_ANCHOR + timedelta(days=rng.randrange(30, 90)) if future else DEMO_ANCHOR - timedelta(
        days=rng.randrange(1, 365))
    if n < 8:
        attendees = [employee, manager]
        day = DEMO_ANCHOR - timedelta(days=3 + n * 9) if n < 6 else day
    elif rng.random() < 0.6:
        first, second = rng.sample(sorted(by_function), 2)
        attendees = [rng.choice(by_function[first]), rng.choice(by_function[second])]
    else:
        attendees = rng.sample(by_function[rng.choice(sorted(by_function))], 2)
    author = attendees[0]
    data = services.VisitData(
        account_id=rng.choice(accounts).id, visit_on=day, mode=rng.choice(list(VisitMode)).value,
        purpose=f"{rng.choice(PURPOSES)} #{n + 1}", attendee_ids=[p.id for p in attendees],
        agenda="1. Where we stand\n2. What hurts\n3. Next steps", contacts=[
            tuple(c.split(", ")) for c in rng.sample(CONTACTS, 2)], already_held=not future and rng.random() < 0.9,
    )
    visit = services.save_visit(author, None, data, day if data.already_held else DEMO_ANCHOR)  # logged that day
    if not future and not data.already_held:
        services.cancel_visit(author, visit, _at(DEMO_ANCHOR))
    return visit


def _author(visit: Visit) -> User:
    """Who logged a demo visit (every demo visit has an author)."""
    if visit.author is None:
        raise ValueError(f"demo visit {visit.id} has no author")
    return visit.author


def _write_up(rng: random.Random, visit: Visit) -> None:
    services.save_outcome(_author(visit), visit, "We reviewed the account together and agreed next steps.",
                          rng.randint(1, 5), rng.random() < 0.15)
    for attendance in visit.attendees:
        tags, body = LEARNINGS.get(attendance.user.function.name if attendance.user.function else "", ([], ""))
        if tags:
            services.save_function_note(attendance.user, visit, body, rng.sample(tags, 2), _at(visit.visit_on))


def _confirm_most(rng: random.Random, held: list[Visit], keep_for: User) -> int:
    """Confirm about 80% of the joint held visits, leaving the demo manager's first ones to confirm."""
    confirmed = 0
    for visit in held:
        confirmer = next((a.user for a in visit.attendees if a.function_id != _author(visit).function_id), None)
        if confirmer is None or (confirmer == keep_for and visit.visit_on > DEMO_ANCHOR - timedelta(days=20)):
            continue
        if rng.random() < 0.8:
            services.confirm_visit(confirmer, visit, _at(visit.visit_on + timedelta(days=1)))
            confirmed += 1
    return confirmed


def _follow_ups(rng: random.Random, visit: Visit) -> int:
    """One follow-up in a random state (open, in progress, done with an outcome, dropped), some overdue."""
    owner, other = visit.attendees[0], visit.attendees[-1]
    needs_both = owner.function_id != other.function_id and rng.random() < 0.5
    status = rng.choice(list(FollowUpStatus)).value
    follow_up = services.add_follow_up(_author(visit), visit, services.FollowUpData(
        "Send the revised payment schedule" if needs_both else "Share the service report",
        owner.user_id, visit.visit_on + timedelta(days=rng.randrange(7, 60)), needs_both,
        other.user_id if needs_both else None), visit.visit_on)
    outcome = "Agreed and signed off." if status == FollowUpStatus.DONE.value else ""
    services.update_follow_up(owner.user, follow_up, status, outcome, _at(follow_up.due_on))
    return 1
