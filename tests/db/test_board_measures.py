"""The board's measures against a small hand-built week whose every answer is counted by hand,
on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from console.board.measures import BoardService
from console.board.periods import PeriodKind, period
from console.clock import ManualClock
from console.ids import new_id
from domain.vocabulary import (
    Authorisation,
    CaseStatus,
    Channel,
    Direction,
    GoodwillKind,
    GoodwillState,
    HandoffKind,
    HandoffStatus,
    PromiseKind,
    PromiseStatus,
    Role,
    Team,
)
from storage.models import Feedback, Goodwill, Handoff, Offer, OfferImpression, Promise
from storage.store import Store
from tests.helpers import factories as f

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday; UK time is UTC in November


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def promise(customer: Any, owner: Any, due: datetime, **extra: Any) -> Promise:
    values: dict[str, Any] = {
        "id": new_id(),
        "customer_id": customer.id,
        "case_id": None,
        "kind": PromiseKind.CALLBACK,
        "owner_id": owner.id,
        "created_at": at(2, 9),
        "due_at": due,
        "window_end_at": None,
        "phone_e164": "+447700900123",
        "note": None,
        "status": PromiseStatus.OPEN,
        "outcome": None,
        "closed_at": None,
        "customer_told": None,
        "follow_up_id": None,
        "escalated_at": None,
        "version": 1,
    }
    return Promise(**(values | extra))


def handoff(
    customer: Any, by: Any, to_team: Team, created: datetime, ack_by: datetime, **extra: Any
) -> Handoff:
    values: dict[str, Any] = {
        "id": new_id(),
        "customer_id": customer.id,
        "case_id": None,
        "kind": HandoffKind.TASK,
        "summary": "Check the line",
        "from_team": Team.FRONT_LINE,
        "to_team": to_team,
        "created_by": by.id,
        "created_at": created,
        "acknowledge_by": ack_by,
        "status": HandoffStatus.AWAITING_ACK,
        "version": 1,
    }
    return Handoff(**(values | extra))


def goodwill(customer: Any, by: Any, pence: int, state: GoodwillState, **extra: Any) -> Goodwill:
    values: dict[str, Any] = {
        "id": new_id(),
        "customer_id": customer.id,
        "kind": GoodwillKind.GOODWILL_CREDIT,
        "amount_pence": pence,
        "currency": "GBP",
        "reason_category": "missed callback",
        "reason_text": "sorry",
        "requested_by": by.id,
        "requested_at": at(24, 10),
        "state": state,
        "version": 1,
    }
    return Goodwill(**(values | extra))


def feedback(case: Any, fix: int, fault: int) -> Feedback:
    return Feedback(
        id=new_id(),
        case_id=case.id,
        customer_id=case.customer_id,
        fix_score=fix,
        fault_score=fault,
        received_at=at(25, 9),
    )


@dataclass
class Week:
    alex: uuid.UUID
    bea: uuid.UUID
    p1: uuid.UUID
    p2: uuid.UUID
    h1: uuid.UUID


@pytest.fixture
def week(any_store: Store) -> Week:
    alex = f.user("alex")
    bea = f.user("bea")
    sam = f.user("sam", Role.SUPERVISOR)
    retired = f.user("old", active=False)
    c1 = f.customer(account="40000001")
    c2 = f.customer("Tom", "Reed", account="40000002", email=None)
    closed = {"status": CaseStatus.CLOSED}
    k1 = f.case(c1, "CS-0000001", formal_complaint=True, opened_at=at(24, 9), owner_id=alex.id)
    k2 = f.case(
        c1, "CS-0000002", **closed, opened_at=at(20, 8), resolved_at=at(24, 11), closed_at=at(24, 12),
        updated_at=at(24, 12), reopened_count=1, root_cause_category="line fault",
    )  # fmt: skip
    k3 = f.case(
        c2, "CS-0000003", **closed, opened_at=at(24, 14), resolved_at=at(24, 14, 30), closed_at=at(24, 15),
        root_cause_category="line fault",
    )  # fmt: skip
    k4 = f.case(
        c2, "CS-0000004", **closed, opened_at=at(10, 8), resolved_at=at(23, 10), closed_at=at(23, 10),
        root_cause_category="billing error",
    )  # fmt: skip
    k5 = f.case(c2, "CS-0000005", **closed, opened_at=at(22, 8), resolved_at=at(23, 11), closed_at=at(23, 11))
    k6 = f.case(
        c2, "CS-0000006", **closed, opened_at=at(16, 8), resolved_at=at(18, 10), closed_at=at(18, 10),
        root_cause_category="billing error",
    )  # fmt: skip

    def contact(case: Any, when: datetime, by: Any, channel: Channel = Channel.PHONE) -> Any:
        return f.event(c1 if case.customer_id == c1.id else c2, when, channel, advisor=by.id, case_id=case.id)

    system = f.event(c2, at(24, 14, 40), Channel.SYSTEM, advisor=bea.id, case_id=k3.id)
    system.direction = Direction.INTERNAL
    outbound = f.event(c1, at(24, 17), Channel.PHONE, advisor=alex.id, case_id=k1.id)
    outbound.direction = Direction.OUTBOUND
    events = [
        contact(k2, at(20, 9), alex),  # first contact on k2
        contact(k2, at(24, 10), bea, Channel.EMAIL),  # repeat: 4 days after
        contact(k3, at(24, 14), bea),  # k3's only contact: resolved at first contact
        contact(k4, at(10, 9), alex),
        contact(k4, at(23, 9), alex),  # 13 days later: not a repeat
        contact(k1, at(24, 9), alex),
        contact(k1, at(24, 16), alex, Channel.CHAT),  # repeat, and a second channel on k1
        system,
        outbound,
    ]
    p1 = promise(c1, alex, at(25, 10, 30))  # at risk
    p2 = promise(c2, bea, at(25, 8), escalated_at=at(25, 8, 15))  # broken
    done = {"status": PromiseStatus.DONE, "outcome": "called"}
    promises = [
        p1,
        p2,
        promise(c1, alex, at(24, 12), **done, closed_at=at(24, 11, 50)),  # kept
        promise(c1, alex, at(24, 13), window_end_at=at(24, 17), **done, closed_at=at(24, 16)),  # kept
        promise(
            c1,
            alex,
            at(23, 9),
            status=PromiseStatus.RESCHEDULED,
            outcome="busy",
            closed_at=at(23, 8),
            customer_told=False,
        ),  # broken: rescheduled without telling the customer
        promise(c1, alex, at(25, 12)),  # due later: not counted yet
        promise(c2, alex, at(23, 15), **done, closed_at=at(23, 16)),  # broken: ended late
    ]
    acknowledged = {"status": HandoffStatus.ACKNOWLEDGED, "acknowledged_by": bea.id}
    h1 = handoff(c1, alex, Team.TECHNICAL, at(24, 9), at(24, 13))
    handoffs = [
        h1,  # late and missed
        handoff(c2, alex, Team.BILLING, at(23, 9), at(23, 11), **acknowledged, acknowledged_at=at(23, 12)),
        handoff(c1, alex, Team.TECHNICAL, at(24, 10), at(25, 11)),  # not due yet
        handoff(c2, alex, Team.BILLING, at(23, 14), at(23, 18), **acknowledged, acknowledged_at=at(23, 15)),
        handoff(c2, alex, Team.PROVISIONING, at(24, 9), at(24, 10), status=HandoffStatus.CANCELLED),
    ]
    money = [
        goodwill(c1, alex, 2000, GoodwillState.APPROVED, authorisation=Authorisation.SELF_WITHIN_LIMIT),
        goodwill(
            c1,
            alex,
            8000,
            GoodwillState.APPROVED,
            authorisation=Authorisation.SUPERVISOR,
            decided_by=sam.id,
            decided_at=at(24, 11),
        ),
        goodwill(c1, alex, 1000, GoodwillState.AWAITING_APPROVAL),
        goodwill(c2, bea, 9000, GoodwillState.REJECTED, decided_by=sam.id, decided_at=at(24, 11)),
    ]
    offer = Offer(
        id=new_id(), code="SIM", title="SIM", description="d", product="mobile", monthly_price_pence=500
    )
    impressions = [
        OfferImpression(
            id=new_id(), customer_id=c1.id, offer_id=offer.id, advisor_id=bea.id, shown_at=at(24, 11)
        ),
        OfferImpression(
            id=new_id(), customer_id=c2.id, offer_id=offer.id, advisor_id=alex.id, shown_at=at(24, 18)
        ),
    ]
    scores = [feedback(k2, 4, 2), feedback(k3, 2, 1), feedback(k4, 5, 5)]
    with any_store.write() as session:
        session.add_all([alex, bea, sam, retired, c1, c2])
        session.flush()
        session.add_all([k1, k2, k3, k4, k5, k6, offer])
        session.flush()
        session.add_all([*events, *promises, *handoffs, *money, *impressions, *scores])
    return Week(alex.id, bea.id, p1.id, p2.id, h1.id)


def test_promises_at_risk_and_broken_across_the_team(any_store: Store, week: Week) -> None:
    board = BoardService(any_store, ManualClock(NOW)).read(period(PeriodKind.THIS_WEEK, NOW))
    rows = board.promises_at_risk
    assert [r.promise.id for r in rows] == [week.p1, week.p2]
    assert [r.broken for r in rows] == [False, True]
    assert rows[1].late_by == timedelta(hours=2) and rows[1].promise.owner_name == "Bea"
    assert rows[0].due_in == timedelta(minutes=30) and rows[0].promise.owner_name == "Alex"
    assert rows[0].promise.customer_name == "Priya Shah"
    assert (board.promises.at_risk_total, board.promises.broken_total) == (1, 1)
    assert board.promises.at_risk_owners == [("Alex", 1)]
    assert [r.promise.id for r in board.breaking_within_hour] == [week.p1]


def test_late_handoffs_by_receiving_team(any_store: Store, week: Week) -> None:
    board = BoardService(any_store, ManualClock(NOW)).read(period(PeriodKind.TODAY, NOW))
    assert [(g.team, [h.id for h in g.handoffs]) for g in board.late_handoffs] == [
        (Team.TECHNICAL, [week.h1])
    ]
    assert board.late_handoffs[0].handoffs[0].customer_name == "Priya Shah"
    assert board.late_handoffs[0].total == 1


def test_iceberg_this_week(any_store: Store, week: Week) -> None:
    board = BoardService(any_store, ManualClock(NOW)).read(period(PeriodKind.THIS_WEEK, NOW))
    [this] = board.iceberg
    assert (this.start, this.end) == (at(23, 0), at(30, 0))
    assert this.formal_complaints == 1
    assert this.repeat_contacts == 2
    assert this.broken_promises == 3
    assert this.reopened_cases == 1
    assert this.missed_handoffs == 2
    assert this.multichannel_cases == 1
    assert this.silent_signals == 9 and this.ratio == 9.0


def test_iceberg_over_four_weeks_puts_each_signal_in_its_week(any_store: Store, week: Week) -> None:
    board = BoardService(any_store, ManualClock(NOW)).read(period(PeriodKind.LAST_4_WEEKS, NOW))
    weeks = board.iceberg
    assert [w.start.day for w in weeks] == [26, 2, 9, 16, 23]
    assert [w.formal_complaints for w in weeks] == [0, 0, 0, 0, 1]
    assert [w.repeat_contacts for w in weeks] == [0, 0, 0, 0, 2]
    assert [w.silent_signals for w in weeks[:4]] == [0, 0, 0, 0]
    assert weeks[0].ratio is None


def test_root_causes_ranked_with_feedback(any_store: Store, week: Week) -> None:
    board = BoardService(any_store, ManualClock(NOW)).read(period(PeriodKind.THIS_WEEK, NOW))
    causes = [(c.category, c.cases, c.share_pct, c.cumulative_pct) for c in board.root_causes]
    assert causes == [
        ("line fault", 2, 50.0, 50.0),
        ("billing error", 1, 25.0, 75.0),
        ("not recorded", 1, 25.0, 100.0),
    ]
    line, billing, unknown = board.root_causes
    assert (line.feedback_count, line.fix_score_average, line.fault_score_average) == (2, 3.0, 1.5)
    assert (billing.fix_score_average, billing.fault_score_average) == (5.0, 5.0)
    assert (unknown.feedback_count, unknown.fix_score_average) == (0, None)
    assert board.top_root_cause == line


def test_root_cause_ties_rank_by_name(any_store: Store, week: Week) -> None:
    board = BoardService(any_store, ManualClock(NOW)).read(period(PeriodKind.LAST_4_WEEKS, NOW))
    assert [(c.category, c.cases) for c in board.root_causes] == [
        ("billing error", 2),
        ("line fault", 2),
        ("not recorded", 1),
    ]


def test_advisor_measures(any_store: Store, week: Week) -> None:
    board = BoardService(any_store, ManualClock(NOW)).read(period(PeriodKind.THIS_WEEK, NOW))
    by_name = {a.name: a for a in board.advisors}
    assert set(by_name) == {"Alex", "Bea"}  # active advisors only
    alex, bea = by_name["Alex"], by_name["Bea"]
    assert (alex.promises_due, alex.promises_kept_pct) == (4, 50.0)
    assert (bea.promises_due, bea.promises_kept_pct) == (1, 0.0)
    assert (alex.cases_resolved, alex.first_contact_resolution_pct) == (2, 0.0)
    assert (bea.cases_resolved, bea.first_contact_resolution_pct) == (1, 100.0)
    assert alex.contacts == 3 and alex.repeat_contact_pct == pytest.approx(100 / 3)
    assert (bea.contacts, bea.repeat_contact_pct) == (2, 50.0)
    assert (bea.handoffs_acknowledged, bea.average_acknowledge) == (2, timedelta(hours=2))
    assert (alex.handoffs_acknowledged, alex.average_acknowledge) == (0, None)
    assert (alex.goodwill_pence, alex.goodwill_count, alex.goodwill_over_limit) == (10000, 2, 1)
    assert alex.goodwill_limit_pence == 5000 and bea.goodwill_pence == 0
    assert (alex.offers_while_case_open, bea.offers_while_case_open) == (0, 1)


def test_a_quiet_period_has_no_rates(any_store: Store, week: Week) -> None:
    later = NOW + timedelta(days=60)
    board = BoardService(any_store, ManualClock(later)).read(period(PeriodKind.TODAY, later))
    assert board.root_causes == [] and board.top_root_cause is None
    alex = next(a for a in board.advisors if a.name == "Alex")
    assert alex.promises_kept_pct is None and alex.first_contact_resolution_pct is None
    assert alex.repeat_contact_pct is None and alex.average_acknowledge is None
