"""The supervisor board's SQL: late handoffs, the iceberg's weekly counts, root causes with feedback,
and per-advisor service measures. Each function says exactly what it counts; `console.board` names
them for the use case and turns counts into percentages and words.

Conventions shared by every query here:
- a *customer contact* is a contact event with a case, inbound, on any channel but `system`;
- a *repeat contact* is a customer contact with another customer contact on the same case in the
  seven days before it (its previous one, in time order, at most seven days earlier); each customer
  contact carries that mark in `customer_contacts`, kept by a trigger as the log grows (migration
  0011_customer_contacts has the rule);
- a promise's *deadline* is the end of its window if it has one, else its due time; it was *kept*
  when it was ended with an outcome at or before the deadline (a rescheduling counts only when the
  customer was told the new time); it is *broken* once the deadline has passed without that.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Float,
    and_,
    case,
    distinct,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from domain.vocabulary import (
    Authorisation,
    CaseStatus,
    GoodwillState,
    HandoffStatus,
    PromiseStatus,
    Role,
    Team,
)
from storage.models import (
    AdvisorContactTally,
    Case,
    CaseContactCount,
    Customer,
    CustomerContact,
    Feedback,
    Goodwill,
    Handoff,
    OfferImpression,
    Promise,
    User,
)
from storage.models.contact import NO_ADVISOR
from storage.queries.offers import case_open_at


class epoch_seconds(FunctionElement[float]):  # noqa: N801 (a SQL function: named like one)
    """Seconds since 1970 of a UTC timestamp column, on SQLite and PostgreSQL alike."""

    type = Float()
    inherit_cache = True
    name = "epoch_seconds"


@compiles(epoch_seconds)
@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


@compiles(epoch_seconds, "postgresql")
def _epoch_postgresql(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    return f"EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})"


# -- shared definitions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactTally:
    """Customer contacts one advisor took in one week of the board's weeks, and how many were repeats;
    `in_period` says whether they fell in the period itself (the weeks may reach beyond it)."""

    week: int
    advisor_id: uuid.UUID | None
    in_period: bool
    contacts: int
    repeats: int


def contact_tallies(
    session: Session, bounds: Sequence[datetime], start: datetime, end: datetime
) -> list[ContactTally]:
    """Customer contacts in the weeks `bounds` (n+1 instants), per week, advisor and whether inside
    [start, end) (which the weeks cover): how many, and how many were repeats. One range of the
    per-bucket tallies serves both the iceberg's weeks and the per-advisor measures; every bound
    must be a UK midnight (a bucket's start)."""
    for bound in (*bounds, start, end):
        if not starts_a_bucket(bound):
            raise ValueError(f"{bound:%Y-%m-%d %H:%M:%S} UTC is not a UK midnight")
    tally = AdvisorContactTally
    week = week_of(tally.starts_at, bounds)
    in_period = case((_in(tally.starts_at, start, end), 1), else_=0)
    statement = (
        select(week, tally.advisor_id, in_period, func.sum(tally.contacts), func.sum(tally.repeats))
        .where(_in(tally.starts_at, bounds[0], bounds[-1]))
        .group_by(week, tally.advisor_id, in_period)
    )
    return [
        ContactTally(int(w), None if advisor == NO_ADVISOR else advisor, bool(inside), int(n), int(repeats))
        for w, advisor, inside, n, repeats in session.execute(statement)
    ]


def starts_a_bucket(moment: datetime) -> bool:
    """Whether `moment` starts one of advisor_contact_tallies' buckets: 00:00 or 23:00 UTC."""
    utc = moment.astimezone(UTC)
    return utc.hour in (0, 23) and (utc.minute, utc.second, utc.microsecond) == (0, 0, 0)


@dataclass(frozen=True)
class DeadlineTally:
    """Promises one advisor owns whose deadline fell in one week of the board's weeks and has passed,
    and how many of those were kept; `in_period` says whether the deadline fell in the period."""

    week: int
    owner_id: uuid.UUID
    in_period: bool
    due: int
    kept: int


Tally = TypeVar("Tally", ContactTally, DeadlineTally)


def promise_deadline_tallies(
    session: Session, bounds: Sequence[datetime], start: datetime, end: datetime, now: datetime
) -> list[DeadlineTally]:
    """Promises whose deadline fell in the weeks `bounds` before `now`, per week, owner and whether
    inside [start, end): how many, and how many were kept. One range of the deadline index serves
    the iceberg's broken promises and the advisors' promises kept."""
    deadline = promise_deadline()
    week = week_of(deadline, bounds)
    in_period = case((_in(deadline, start, end), 1), else_=0)
    statement = (
        select(week, Promise.owner_id, in_period, func.count(), func.sum(case((promise_kept(), 1), else_=0)))
        .where(deadline_in(bounds[0], min(bounds[-1], now)))
        .group_by(week, Promise.owner_id, in_period)
    )
    return [
        DeadlineTally(int(w), owner, bool(inside), int(due), int(kept))
        for w, owner, inside, due, kept in session.execute(statement)
    ]


def promise_deadline() -> ColumnElement[datetime]:
    return func.coalesce(Promise.window_end_at, Promise.due_at)


def deadline_in(start: datetime, end: datetime) -> ColumnElement[bool]:
    """The promise's deadline falls in [start, end), said so that the due-time and window-end indexes
    serve it (an OR of two ranges, not a range over COALESCE)."""
    return or_(
        and_(Promise.window_end_at.is_(None), _in(Promise.due_at, start, end)),
        _in(Promise.window_end_at, start, end),
    )


def promise_kept() -> ColumnElement[bool]:
    """Ended with an outcome by the deadline; a rescheduling only when the customer was told."""
    return and_(
        Promise.closed_at.is_not(None),
        Promise.closed_at <= promise_deadline(),
        or_(Promise.status != PromiseStatus.RESCHEDULED, Promise.customer_told.is_(True)),
    )


def week_of(column: Any, bounds: Sequence[datetime]) -> ColumnElement[int]:
    """Which week `column` falls in, 0-based, for `bounds` = the weeks' n+1 boundary instants.

    Rows outside [bounds[0], bounds[-1]) must be filtered out by the caller.
    """
    if len(bounds) < 2:
        raise ValueError("weeks need at least two boundaries")
    whens = [(column < bound, index) for index, bound in enumerate(bounds[1:-1])]
    last = len(bounds) - 2
    if not whens:
        return case((column.is_not(None), last), else_=last)
    return case(*whens, else_=last)


def _in(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def _counts(session: Session, statement: Any) -> dict[int, int]:
    return {int(bucket): int(count) for bucket, count in session.execute(statement)}


# -- right now -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LateHandoff:
    """A handoff still awaiting acknowledgement after its acknowledge-by deadline."""

    id: uuid.UUID
    customer_id: uuid.UUID
    customer_name: str
    account_number: str
    case_reference: str | None
    summary: str
    from_team: Team
    to_team: Team
    created_by_name: str
    created_at: datetime
    acknowledge_by: datetime


def late_handoff_counts(session: Session, now: datetime) -> dict[Team, int]:
    """How many handoffs await acknowledgement past their acknowledge-by, per receiving team."""
    statement = (
        select(Handoff.to_team, func.count())
        .where(Handoff.status == HandoffStatus.AWAITING_ACK, Handoff.acknowledge_by < now)
        .group_by(Handoff.to_team)
    )
    return {Team(team): int(count) for team, count in session.execute(statement)}


def late_handoffs(session: Session, now: datetime, limit: int | None = None) -> list[LateHandoff]:
    """Handoffs awaiting acknowledgement whose acknowledge-by is before `now`, most overdue first
    (at most `limit`)."""
    creator = aliased(User)
    statement = (
        select(
            Handoff.id,
            Handoff.customer_id,
            Customer.given_name + " " + Customer.family_name,
            Customer.account_number,
            Case.reference,
            Handoff.summary,
            Handoff.from_team,
            Handoff.to_team,
            creator.display_name,
            Handoff.created_at,
            Handoff.acknowledge_by,
        )
        .join(Customer, Customer.id == Handoff.customer_id)
        .join(creator, creator.id == Handoff.created_by)
        .outerjoin(Case, Case.id == Handoff.case_id)
        .where(Handoff.status == HandoffStatus.AWAITING_ACK, Handoff.acknowledge_by < now)
        .order_by(Handoff.acknowledge_by, Handoff.id)
    )
    if limit is not None:
        statement = statement.limit(limit)
    return [LateHandoff(*row) for row in session.execute(statement)]


# -- the iceberg, per week -------------------------------------------------------------------------------


def formal_complaints_by_week(session: Session, bounds: Sequence[datetime]) -> dict[int, int]:
    """Cases marked as formal complaints, by the week they were opened."""
    week = week_of(Case.opened_at, bounds)
    return _counts(
        session,
        select(week, func.count())
        .where(Case.formal_complaint == true(), _in(Case.opened_at, bounds[0], bounds[-1]))
        .group_by(week),
    )


def repeat_contacts_by_week(tallies: Sequence[ContactTally]) -> dict[int, int]:
    """Repeat contacts (a customer contact within seven days of an earlier one on the same case),
    by the week of the repeat, from `contact_tallies` over the weeks."""
    return _by_week(tallies, lambda tally: tally.repeats)


def broken_promises_by_week(tallies: Sequence[DeadlineTally]) -> dict[int, int]:
    """Promises whose deadline fell in the week (and before `now`) and that were not kept, from
    `promise_deadline_tallies` over the weeks."""
    return _by_week(tallies, lambda tally: tally.due - tally.kept)


def _by_week(tallies: Sequence[Tally], value: Callable[[Tally], int]) -> dict[int, int]:
    weeks: dict[int, int] = {}
    for tally in tallies:
        weeks[tally.week] = weeks.get(tally.week, 0) + value(tally)
    return weeks


def reopened_cases_by_week(session: Session, bounds: Sequence[datetime]) -> dict[int, int]:
    """Cases reopened at least once, by the week of their last update (the schema keeps no reopen time)."""
    week = week_of(Case.updated_at, bounds)
    return _counts(
        session,
        select(week, func.count())
        .where(Case.reopened_count > 0, _in(Case.updated_at, bounds[0], bounds[-1]))
        .group_by(week),
    )


def missed_handoffs_by_week(session: Session, bounds: Sequence[datetime], now: datetime) -> dict[int, int]:
    """Handoffs (not cancelled) whose acknowledge-by fell in the week, before `now`, and that were not
    acknowledged by then (acknowledged late, or not at all)."""
    week = week_of(Handoff.acknowledge_by, bounds)
    return _counts(
        session,
        select(week, func.count())
        .where(
            _in(Handoff.acknowledge_by, bounds[0], min(bounds[-1], now)),
            Handoff.status != HandoffStatus.CANCELLED,
            or_(Handoff.acknowledged_at.is_(None), Handoff.acknowledged_at > Handoff.acknowledge_by),
        )
        .group_by(week),
    )


def multichannel_cases_by_week(session: Session, bounds: Sequence[datetime]) -> dict[int, int]:
    """Cases the customer contacted about on two or more channels within one week, by that week."""
    contact = CustomerContact
    week = week_of(contact.occurred_at, bounds).label("week")
    per_case = (
        select(week, contact.case_id)
        # Only contacts with another channel nearby can be one of two channels in a week.
        .where(_in(contact.occurred_at, bounds[0], bounds[-1]), contact.other_channel_nearby.is_(True))
        .group_by(week, contact.case_id)
        .having(func.count(distinct(contact.channel)) >= 2)
        .subquery()
    )
    return _counts(session, select(per_case.c.week, func.count()).group_by(per_case.c.week))


# -- root causes -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RootCauseCount:
    """Closed cases with one root cause category (None: not recorded), and their feedback."""

    category: str | None
    cases: int
    feedback_count: int
    fix_score_average: float | None
    fault_score_average: float | None


def root_causes(session: Session, start: datetime, end: datetime) -> list[RootCauseCount]:
    """Cases closed in [start, end) per root cause category, most first (ties by name), each with the
    mean of the two feedback scores over the feedback received about those cases."""
    closed = and_(Case.status == CaseStatus.CLOSED, _in(Case.closed_at, start, end))
    counts = session.execute(
        select(Case.root_cause_category, func.count()).where(closed).group_by(Case.root_cause_category)
    ).all()
    scores = {
        category: (int(n), avg_fix, avg_fault)
        for category, n, avg_fix, avg_fault in session.execute(
            select(
                Case.root_cause_category,
                func.count(Feedback.id),
                func.avg(Feedback.fix_score * 1.0),
                func.avg(Feedback.fault_score * 1.0),
            )
            .join(Case, Case.id == Feedback.case_id)
            .where(closed)
            .group_by(Case.root_cause_category)
        )
    }
    ranked = []
    for category, cases in counts:
        n, fix, fault = scores.get(category, (0, None, None))
        ranked.append(
            RootCauseCount(
                category,
                int(cases),
                n,
                None if fix is None else float(fix),
                None if fault is None else float(fault),
            )
        )
    ranked.sort(key=lambda row: (-row.cases, row.category is None, row.category or ""))
    return ranked


# -- per advisor ---------------------------------------------------------------------------------------------


def first_contact_counts(start: datetime, end: datetime) -> Any:
    """Per advisor (first column): cases resolved in [start, end) whose first customer contact they
    took, and how many of those had no other customer contact: a look-up per resolved case in the
    per-case counts (`case_contact_counts`)."""
    counted = CaseContactCount
    return (
        select(counted.first_advisor_id, func.count(), func.sum(case((counted.contacts == 1, 1), else_=0)))
        .join(Case, Case.id == counted.case_id)
        .where(_in(Case.resolved_at, start, end), counted.first_advisor_id.is_not(None))
        .group_by(counted.first_advisor_id)
    )


@dataclass(frozen=True)
class AdvisorCounts:
    """One advisor's raw counts for a period: `console.board` turns them into rates."""

    user_id: uuid.UUID
    name: str
    team: Team
    goodwill_limit_pence: int
    promises_due: int = 0
    promises_kept: int = 0
    cases_resolved: int = 0
    resolved_first_contact: int = 0
    contacts: int = 0
    repeat_contacts: int = 0
    handoffs_acknowledged: int = 0
    acknowledge_seconds_total: float = 0.0
    goodwill_pence: int = 0
    goodwill_count: int = 0
    goodwill_over_limit: int = 0
    offers_while_open: int = 0


# Each part of the per-advisor counts: a statement for [start, end) as of `now` whose rows are an
# advisor's id and then the values of the named AdvisorCounts fields.
CountStatement = Callable[[datetime, datetime, datetime], Any]


@dataclass(frozen=True)
class AdvisorCountPart:
    fields: tuple[str, ...]
    statement: CountStatement


def _handoffs_acknowledged(start: datetime, end: datetime, _now: datetime) -> Any:
    return (
        select(
            Handoff.acknowledged_by,
            func.count(),
            func.sum(epoch_seconds(Handoff.acknowledged_at) - epoch_seconds(Handoff.created_at)),
        )
        .where(_in(Handoff.acknowledged_at, start, end))
        .group_by(Handoff.acknowledged_by)
    )


def _goodwill_approved(start: datetime, end: datetime, _now: datetime) -> Any:
    return (
        select(
            Goodwill.requested_by,
            func.sum(Goodwill.amount_pence),
            func.count(),
            func.sum(case((Goodwill.authorisation != Authorisation.SELF_WITHIN_LIMIT, 1), else_=0)),
        )
        .where(Goodwill.state == GoodwillState.APPROVED, _in(Goodwill.requested_at, start, end))
        .group_by(Goodwill.requested_by)
    )


def _offers_while_open(start: datetime, end: datetime, _now: datetime) -> Any:
    return (
        select(OfferImpression.advisor_id, func.count(distinct(OfferImpression.id)))
        .join(
            Case,
            and_(Case.customer_id == OfferImpression.customer_id, case_open_at(OfferImpression.shown_at)),
        )
        .where(_in(OfferImpression.shown_at, start, end))
        .group_by(OfferImpression.advisor_id)
    )


# The parts, as `advisor_counts` documents them; each can be read on its own connection.
ADVISOR_COUNT_PARTS = (
    AdvisorCountPart(("offers_while_open",), _offers_while_open),
    AdvisorCountPart(
        ("cases_resolved", "resolved_first_contact"),
        lambda start, end, _now: first_contact_counts(start, end),
    ),
    AdvisorCountPart(("handoffs_acknowledged", "acknowledge_seconds_total"), _handoffs_acknowledged),
    AdvisorCountPart(("goodwill_pence", "goodwill_count", "goodwill_over_limit"), _goodwill_approved),
)

PartCounts = dict[uuid.UUID, dict[str, Any]]


def active_advisors(session: Session) -> list[tuple[uuid.UUID, str, Team, int]]:
    """Active advisors by name: id, name, team, goodwill limit."""
    return [
        (row[0], row[1], row[2], row[3])
        for row in session.execute(
            select(User.id, User.display_name, User.team, User.goodwill_limit_pence)
            .where(User.role == Role.ADVISOR, User.active.is_(True))
            .order_by(User.display_name, User.id)
        )
    ]


def advisor_count_part(
    session: Session, part: AdvisorCountPart, start: datetime, end: datetime, now: datetime
) -> PartCounts:
    """One part's values per advisor id (any user the rows name; `combine_advisor_counts` keeps the
    active advisors)."""
    return {
        user_id: dict(zip(part.fields, values, strict=True))
        for user_id, *values in session.execute(part.statement(start, end, now))
    }


def advisor_counts(session: Session, start: datetime, end: datetime, now: datetime) -> list[AdvisorCounts]:
    """Per active advisor, for [start, end) (contacts and repeats come from `with_contacts`, promises
    due and kept from `with_deadlines`):

    - promises_due / promises_kept: promises they own whose deadline fell in the period before `now`,
      and how many of those were kept;
    - cases_resolved / resolved_first_contact: cases resolved in the period whose first customer
      contact they took, and how many of those had no other customer contact at all;
    - handoffs_acknowledged / acknowledge_seconds_total: handoffs they acknowledged in the period and
      the sum of the seconds from each handoff's creation to its acknowledgement;
    - goodwill_pence / goodwill_count / goodwill_over_limit: approved goodwill they asked for in the
      period (amount, number, and how many needed a supervisor because they were above their limit);
    - offers_while_open: offers shown by them in the period while that customer had a case open.
    """
    parts = [advisor_count_part(session, part, start, end, now) for part in ADVISOR_COUNT_PARTS]
    return combine_advisor_counts(active_advisors(session), parts)


def combine_advisor_counts(
    advisors: Sequence[tuple[uuid.UUID, str, Team, int]], parts: Sequence[PartCounts]
) -> list[AdvisorCounts]:
    """The active advisors' counts from the parts read (a count nobody had stays 0)."""
    result = []
    for user_id, name, team, limit in advisors:
        values: dict[str, Any] = {}
        for part in parts:
            values.update((key, value) for key, value in part.get(user_id, {}).items() if value is not None)
        for key, value in values.items():
            values[key] = float(value) if key == "acknowledge_seconds_total" else int(value)
        result.append(AdvisorCounts(user_id, name, team, limit, **values))
    return result


def with_contacts(counts: Sequence[AdvisorCounts], tallies: Sequence[ContactTally]) -> list[AdvisorCounts]:
    """`counts` with contacts / repeat_contacts filled in: the customer contacts each advisor took in
    the period, and how many were repeats (from `contact_tallies` over weeks covering the period)."""
    return _with_period_totals(
        counts,
        [(t.advisor_id, t.contacts, t.repeats) for t in tallies if t.in_period],
        "contacts",
        "repeat_contacts",
    )


def with_deadlines(counts: Sequence[AdvisorCounts], tallies: Sequence[DeadlineTally]) -> list[AdvisorCounts]:
    """`counts` with promises_due / promises_kept filled in: promises each advisor owns whose deadline
    fell in the period before now, and how many were kept (from `promise_deadline_tallies`)."""
    return _with_period_totals(
        counts,
        [(t.owner_id, t.due, t.kept) for t in tallies if t.in_period],
        "promises_due",
        "promises_kept",
    )


def _with_period_totals(
    counts: Sequence[AdvisorCounts],
    rows: Sequence[tuple[uuid.UUID | None, int, int]],
    first: str,
    second: str,
) -> list[AdvisorCounts]:
    """`counts` with the fields `first` and `second` set to each advisor's sums of `rows`."""
    totals: dict[uuid.UUID | None, dict[str, Any]] = {}
    for who, a, b in rows:
        both = totals.setdefault(who, {first: 0, second: 0})
        both[first] += a
        both[second] += b
    return [replace(row, **totals[row.user_id]) if row.user_id in totals else row for row in counts]
