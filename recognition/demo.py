"""Six months of believable recognition history for the demo organisation (deterministic)."""
from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from recognition import services
from recognition.models import Comment, FeedItem, Kudos, Win
from recognition.rules import COMPANY_VALUES, REACTIONS
from webapp.errors import RuleError
from webapp.extensions import db
from webapp.people.demo import DEMO_ANCHOR
from webapp.people.models import User
from webapp.roles import Role

SEED = 20261130
MONTHS = 6
KUDOS_PER_DAY = (2, 6)
WINS = [
    ("Month-end close two days faster", ("Finance and Operations agreed one **cut-off calendar** for goods received, "
     "so accruals no longer wait for late receipts.")),
    ("Freight invoices matched automatically", ("Logistics shared carrier references with Accounting; "
     "*three-way matching* now clears 90% of freight invoices without a touch.")),
    ("Inventory write-offs halved", ("Quality and FP&A reviewed slow movers together every month and agreed "
     "which stock to discount before it expired.")),
    ("Supplier terms renegotiated", ("Treasury and Supply Chain went to the top ten suppliers together:\n\n"
     "- longer payment terms\n- earlier delivery slots")),
    ("Budget built with the floor", ("Operations leads sat in every FP&A budget session, so the plan reflects "
     "real capacity for once.")),
    ("Returns credited in a day", ("Customer Success and Accounting rebuilt the returns hand-off; customers get "
     "their credit notes the next day.")),
    ("Cash forecast accuracy up", ("Sales shared pipeline timing with Treasury weekly; the 13-week cash forecast "
     "is now within 3%.")),
    ("Capex requests simplified", ("Engineering and Finance replaced a 40-field form with five questions "
     "that actually decide the case.")),
]
PRAISE = [
    "stayed late to reconcile the carrier invoices with us and found the duplicate charges before month end.",
    "explained the cost allocation model patiently until our whole team understood where the numbers come from.",
    "jumped into the warehouse count on a Saturday and made the audit sample painless for everyone.",
    "rebuilt the forecast template so operations can enter volumes directly, saving us hours every week.",
    "shared the supplier scorecard early, which let us negotiate better terms before the renewal deadline.",
    "walked the new hires through the approval workflow and turned a confusing process into a checklist.",
    "caught a pricing error on a large order and fixed it with the customer before the invoice went out.",
    "ran a brilliant joint retro between our teams and made sure every voice was heard.",
]
COMMENTS = ["Well deserved!", "This made our quarter.", "Thank you for this!", "Great teamwork.",
            "Agreed, a big help to us too.", "Love seeing this."]


def _moment(day, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=UTC)


def seed_recognition() -> str:
    """Kudos, add-ons, joint wins with co-signs, reactions, comments, badges and anniversaries over six months."""
    rng = random.Random(SEED)
    services.ensure_default_badges()
    services.get_policy()
    people = list(db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)))
    cosigners = [p for p in people if p.has_role(Role.MANAGER, Role.LEADER)]
    start = DEMO_ANCHOR - timedelta(days=30 * MONTHS)
    counts = {"kudos": 0, "wins": 0}
    for offset in range(30 * MONTHS):
        day = start + timedelta(days=offset)
        if day.weekday() < 5:
            for _ in range(rng.randint(*KUDOS_PER_DAY)):
                counts["kudos"] += _demo_kudos(rng, people, _moment(day, rng))
        if offset % 21 == 10:
            counts["wins"] += _demo_win(rng, people, cosigners, _moment(day, rng), publish=offset < 30 * MONTHS - 25)
        if day.weekday() == 6:
            services.record_anniversaries(day)
    _demo_reactions(rng, people)
    db.session.flush()
    return f"{counts['kudos']} kudos and {counts['wins']} wins over {MONTHS} months, with reactions and comments"


def _attempt(action) -> bool:
    """Run one demo write in a savepoint; a broken rule (allowance, daily cap) just skips it."""
    try:
        with db.session.begin_nested():
            action()
    except RuleError:
        return False
    return True


def _demo_kudos(rng: random.Random, people: list[User], now: datetime) -> bool:
    giver = rng.choice(people)
    same = [p for p in people if p.function_id == giver.function_id and p.id != giver.id]
    other = [p for p in people if p.function_id != giver.function_id]
    pool = other if rng.random() < 0.45 else same
    recipients = rng.sample(pool, k=min(len(pool), rng.choice([1, 1, 1, 2])))
    message = f"{' and '.join(r.name.split()[0] for r in recipients)} {rng.choice(PRAISE)}"
    key = f"demo-kudos-{now.isoformat()}-{giver.id}"
    kudos_args = (
        giver,
        [r.id for r in recipients],
        message,
        rng.choice(COMPANY_VALUES),
        rng.choice([5, 10, 10, 15, 20]),
    )
    done = _attempt(lambda: services.give_kudos(*kudos_args, key=key, now=now))
    if done and rng.random() < 0.15:
        kudos = db.session.scalars(select(Kudos).where(Kudos.idempotency_key == key)).one()
        backer = rng.choice(people)
        _attempt(lambda: services.add_to_kudos(backer, kudos, 5, key=f"{key}-addon", now=now + timedelta(hours=2)))
    return done


def _demo_win(rng: random.Random, people: list[User], cosigners: list[User], now: datetime, publish: bool) -> bool:
    logger = rng.choice(cosigners)
    signer = rng.choice([p for p in cosigners if p.function_id != logger.function_id])
    credited = [*rng.sample([p for p in people if p.function_id == logger.function_id and p.id != logger.id], 2),
                *rng.sample([p for p in people if p.function_id == signer.function_id and p.id != signer.id], 2)]
    title, story = WINS[rng.randrange(len(WINS))]
    impact = (rng.choice([None, Decimal(12000), Decimal(45000)]), "EUR", "working capital")
    key = f"demo-win-{now.isoformat()}"
    if not _attempt(lambda: services.log_win(logger, title, story, [p.id for p in credited],
                                             rng.sample(COMPANY_VALUES, 2), impact, key=key, now=now)):
        return False
    if publish:
        win = db.session.scalars(select(Win).where(Win.idempotency_key == key)).one()
        if rng.random() < 0.1:
            _attempt(
                lambda: services.decline_win(signer, win, "We did not take part in this one.", now + timedelta(days=1))
            )
        else:
            _attempt(lambda: services.cosign_win(signer, win, now + timedelta(days=1)))
    return True


def _demo_reactions(rng: random.Random, people: list[User]) -> None:
    items = list(db.session.scalars(select(FeedItem).order_by(FeedItem.id)))
    for item in items:
        for reactor in rng.sample(people, k=rng.randint(0, 4)):
            emoji = rng.choice(list(REACTIONS))
            _attempt(lambda reactor=reactor, item=item, emoji=emoji: services.toggle_reaction(reactor, item, emoji))
        if rng.random() < 0.2:
            db.session.add(Comment(item_id=item.id, author_id=rng.choice(people).id, body=rng.choice(COMMENTS),
                                   idempotency_key=f"demo-comment-{item.id}",
                                   created_at=item.created_at + timedelta(hours=3)))
