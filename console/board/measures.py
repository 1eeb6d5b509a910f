"""The supervisor board's measures: each a named, documented read over the store, answered as plain
records (counts turned into rates here; the SQL is in storage/queries/board.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from console.board.periods import Period
from console.clock import Clock
from domain.records import PromiseRecord
from domain.vocabulary import Team
from storage.queries import board as sql
from storage.queries import promises as promise_queries
from storage.store import Store

AT_RISK_HORIZON = timedelta(hours=1)
# Rows listed of each kind (at risk, broken); the totals count them all.
ROWS_SHOWN = 500
NOT_RECORDED = "not recorded"


@dataclass(frozen=True)
class PromiseAtRisk:
    """An open promise due within the horizon (at risk) or already past due (broken)."""

    promise: PromiseRecord
    now: datetime

    @property
    def broken(self) -> bool:
        return self.now >= self.promise.due_at

    @property
    def late_by(self) -> timedelta:
        """How late it is (zero while still due)."""
        return max(self.now - self.promise.due_at, timedelta(0))

    @property
    def due_in(self) -> timedelta:
        """How long until it is due (zero once broken)."""
        return max(self.promise.due_at - self.now, timedelta(0))


@dataclass(frozen=True)
class TeamLateHandoffs:
    """The receiving team's handoffs still not acknowledged after their deadline, most overdue first."""

    team: Team
    total: int
    handoffs: tuple[sql.LateHandoff, ...]


@dataclass(frozen=True)
class IcebergWeek:
    """One Monday-to-Monday week (UK): formal complaints beside the silent signals that predict them."""

    start: datetime
    end: datetime
    formal_complaints: int
    repeat_contacts: int
    broken_promises: int
    reopened_cases: int
    missed_handoffs: int
    multichannel_cases: int

    @property
    def silent_signals(self) -> int:
        return (
            self.repeat_contacts
            + self.broken_promises
            + self.reopened_cases
            + self.missed_handoffs
            + self.multichannel_cases
        )

    @property
    def ratio(self) -> float | None:
        """Silent signals per formal complaint; None in a week without a complaint."""
        return self.silent_signals / self.formal_complaints if self.formal_complaints else None


@dataclass(frozen=True)
class RootCauseRank:
    """One root cause in the Pareto ranking: its cases, its share, the running share, the feedback."""

    category: str
    cases: int
    share_pct: float
    cumulative_pct: float
    feedback_count: int
    fix_score_average: float | None
    fault_score_average: float | None


@dataclass(frozen=True)
class AdvisorMeasures:
    """One advisor's service measures for a period; a rate is None when there was nothing to rate."""

    user_id: uuid.UUID
    name: str
    team: Team
    promises_due: int
    promises_kept_pct: float | None
    cases_resolved: int
    first_contact_resolution_pct: float | None
    contacts: int
    repeat_contact_pct: float | None
    handoffs_acknowledged: int
    average_acknowledge: timedelta | None
    goodwill_pence: int
    goodwill_count: int
    goodwill_over_limit: int
    goodwill_limit_pence: int
    offers_while_case_open: int


@dataclass(frozen=True)
class Board:
    """Everything the board shows, read in one go."""

    now: datetime
    period: Period
    promises: PromisesAtRisk
    late_handoffs: list[TeamLateHandoffs]
    iceberg: list[IcebergWeek]
    root_causes: list[RootCauseRank]
    advisors: list[AdvisorMeasures]

    @property
    def promises_at_risk(self) -> list[PromiseAtRisk]:
        return self.promises.rows

    @property
    def breaking_within_hour(self) -> list[PromiseAtRisk]:
        return [p for p in self.promises.rows if not p.broken]

    @property
    def broken(self) -> list[PromiseAtRisk]:
        return [p for p in self.promises.rows if p.broken]

    @property
    def top_root_cause(self) -> RootCauseRank | None:
        recorded = [cause for cause in self.root_causes if cause.category != NOT_RECORDED]
        return recorded[0] if recorded else None


def _pct(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


# -- the measures, each on an open session -----------------------------------------------------------


@dataclass(frozen=True)
class PromisesAtRisk:
    """Open promises that will break within the horizon, and those already broken: the totals, the
    owners of the ones still to save, and the rows to show (at most ROWS_SHOWN of each kind)."""

    at_risk_total: int
    broken_total: int
    at_risk_owners: list[tuple[str, int]]
    rows: list[PromiseAtRisk]


def promises_at_risk(session: Session, now: datetime, horizon: timedelta = AT_RISK_HORIZON) -> PromisesAtRisk:
    """Every open promise across the team due before `now + horizon`: those that will break within the
    horizon unless someone acts (due from now on; counted, with their owners, and the soonest
    ROWS_SHOWN listed) and those already broken (due time passed, escalated or not; counted, and the
    most recently broken ROWS_SHOWN listed), with owner, customer and due time."""
    until = now + horizon
    at_risk = promise_queries.open_due_between(session, now, until, limit=ROWS_SHOWN)
    broken = promise_queries.open_due_between(session, None, now, newest_first=True, limit=ROWS_SHOWN)
    owners = promise_queries.open_owners_due_between(session, now, until)
    return PromisesAtRisk(
        sum(count for _name, count in owners),
        promise_queries.count_open_due_before(session, now),
        owners,
        [PromiseAtRisk(p, now) for p in at_risk + broken],
    )


def late_handoffs_by_team(session: Session, now: datetime) -> list[TeamLateHandoffs]:
    """Handoffs still awaiting acknowledgement after their acknowledge-by deadline, grouped by the
    receiving team (teams in vocabulary order): each team's total, and its most overdue listed (at
    most ROWS_SHOWN across all teams)."""
    totals = sql.late_handoff_counts(session, now)
    rows = sql.late_handoffs(session, now, ROWS_SHOWN)
    return [
        TeamLateHandoffs(team, totals[team], tuple(h for h in rows if h.to_team is team))
        for team in Team
        if totals.get(team)
    ]


@dataclass(frozen=True)
class ContactCounts:
    """What the board counts of the contact log (from the tables its triggers keep): customer
    contacts and repeats per advisor and week, and per week the cases contacted about on two or
    more channels."""

    tallies: list[sql.ContactTally]
    multichannel_cases: dict[int, int]


def contact_counts(session: Session, period: Period) -> ContactCounts:
    """The contact log's counts over the weeks the period touches (which cover the period)."""
    bounds = period.weeks()
    return ContactCounts(
        sql.contact_tallies(session, bounds, period.start, period.end),
        sql.multichannel_cases_by_week(session, bounds),
    )


def deadline_tallies(session: Session, period: Period, now: datetime) -> list[sql.DeadlineTally]:
    """Promise deadlines passed over the weeks the period touches, per week and owner: the iceberg's
    broken promises and the advisors' promises kept."""
    return sql.promise_deadline_tallies(session, period.weeks(), period.start, period.end, now)


@dataclass(frozen=True)
class IcebergCounts:
    """The iceberg's weekly counts that come from cases and handoffs (week index: count)."""

    formal_complaints: dict[int, int]
    reopened_cases: dict[int, int]
    missed_handoffs: dict[int, int]


def iceberg_counts(session: Session, period: Period, now: datetime) -> IcebergCounts:
    bounds = period.weeks()
    return IcebergCounts(
        sql.formal_complaints_by_week(session, bounds),
        sql.reopened_cases_by_week(session, bounds),
        sql.missed_handoffs_by_week(session, bounds, now),
    )


def iceberg(session: Session, period: Period, now: datetime) -> list[IcebergWeek]:
    """Per Monday-to-Monday week (UK) that the period touches: formal complaints (cases opened that
    week flagged formal) beside the silent signals: repeat contacts within 7 days about the same case,
    broken promises (deadline that week, not kept), cases reopened (by last update), handoffs not
    acknowledged by their deadline, and cases contacted about on two or more channels that week."""
    return iceberg_weeks(
        period,
        iceberg_counts(session, period, now),
        contact_counts(session, period),
        deadline_tallies(session, period, now),
    )


def iceberg_weeks(
    period: Period, counts: IcebergCounts, contacts: ContactCounts, deadlines: Sequence[sql.DeadlineTally]
) -> list[IcebergWeek]:
    """The iceberg's weeks from its counts read apart."""
    bounds = period.weeks()
    repeats = sql.repeat_contacts_by_week(contacts.tallies)
    broken = sql.broken_promises_by_week(deadlines)
    return [
        IcebergWeek(
            bounds[i],
            bounds[i + 1],
            counts.formal_complaints.get(i, 0),
            repeats.get(i, 0),
            broken.get(i, 0),
            counts.reopened_cases.get(i, 0),
            counts.missed_handoffs.get(i, 0),
            contacts.multichannel_cases.get(i, 0),
        )
        for i in range(len(bounds) - 1)
    ]


def root_cause_pareto(session: Session, period: Period) -> list[RootCauseRank]:
    """Root cause categories of the cases closed in the period, most cases first, each with its share
    and the running (cumulative) share of all closed cases, and beside it the average of the two
    feedback questions about those cases (1-5: how the fix was handled; how the customer feels about
    the fault having happened). Cases closed without a recorded cause come last as 'not recorded'."""
    return pareto(sql.root_causes(session, period.start, period.end))


def pareto(counts: Sequence[sql.RootCauseCount]) -> list[RootCauseRank]:
    """Shares and running shares of `counts` (already ranked, unrecorded last)."""
    total = sum(c.cases for c in counts)
    ranked, running = [], 0
    for count in counts:
        running += count.cases
        ranked.append(
            RootCauseRank(
                count.category or NOT_RECORDED,
                count.cases,
                100.0 * count.cases / total,
                100.0 * running / total,
                count.feedback_count,
                count.fix_score_average,
                count.fault_score_average,
            )
        )
    return ranked


def advisor_measures(session: Session, period: Period, now: datetime) -> list[AdvisorMeasures]:
    """Per active advisor, for the period: promises kept on time % (of promises they own whose
    deadline fell in the period and has passed), first-contact resolution % (of cases resolved in the
    period whose first customer contact they took: those with no other customer contact), repeat-
    contact rate % (of the customer contacts they took, how many came within 7 days of an earlier one
    on the same case), average time from a handoff's creation to their acknowledging it, approved
    goodwill they asked for against their per-payment limit, and offers shown by them while the
    customer had a case open (must be zero)."""
    counts = sql.advisor_counts(session, period.start, period.end, now)
    return advisor_rows(counts, contact_counts(session, period), deadline_tallies(session, period, now))


def advisor_rows(
    counts: Sequence[sql.AdvisorCounts], contacts: ContactCounts, deadlines: Sequence[sql.DeadlineTally]
) -> list[AdvisorMeasures]:
    """The advisors' measures from their counts, the contact tallies and the deadline tallies."""
    result = []
    for c in sql.with_deadlines(sql.with_contacts(counts, contacts.tallies), deadlines):
        result.append(
            AdvisorMeasures(
                c.user_id,
                c.name,
                c.team,
                c.promises_due,
                _pct(c.promises_kept, c.promises_due),
                c.cases_resolved,
                _pct(c.resolved_first_contact, c.cases_resolved),
                c.contacts,
                _pct(c.repeat_contacts, c.contacts),
                c.handoffs_acknowledged,
                (
                    timedelta(seconds=round(c.acknowledge_seconds_total / c.handoffs_acknowledged))
                    if c.handoffs_acknowledged
                    else None
                ),
                c.goodwill_pence,
                c.goodwill_count,
                c.goodwill_over_limit,
                c.goodwill_limit_pence,
                c.offers_while_open,
            )
        )
    return result


# The board's reads, about longest first at a million customers (so two connections finish together):
# each runs in its own read transaction. Names are for the results; `BoardService.read` joins them.
BoardReads = dict[str, Callable[[Session], Any]]


def board_reads(period: Period, now: datetime) -> BoardReads:
    bounds = period.weeks()
    start, end = period.start, period.end
    reads: BoardReads = {
        "deadlines": lambda s: deadline_tallies(s, period, now),
        "multichannel": lambda s: sql.multichannel_cases_by_week(s, bounds),
        "promises": lambda s: promises_at_risk(s, now),
    }
    for index, part in enumerate(sql.ADVISOR_COUNT_PARTS):
        reads[f"advisor part {index}"] = partial(
            sql.advisor_count_part, part=part, start=start, end=end, now=now
        )
    reads |= {
        "late handoffs": lambda s: late_handoffs_by_team(s, now),
        "root causes": lambda s: root_cause_pareto(s, period),
        "tallies": lambda s: sql.contact_tallies(s, bounds, start, end),
        "iceberg": lambda s: iceberg_counts(s, period, now),
        "advisors": sql.active_advisors,
    }
    return reads


class BoardService:
    """Reads the board for a supervisor; the clock says what 'now' is."""

    # Two: the store's reads run on two cores (SQLite and PostgreSQL alike); more only queue.
    CONNECTIONS = 2

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def now(self) -> datetime:
        return self._clock.now()

    def read(self, period: Period) -> Board:
        """Every measure of the board for `period`, all as of one `now`.

        The measures are read as separate reads shared out between two connections, each read one
        transaction: a write landing between their starts shows in one and not yet in another, as
        it would a moment later in all of them."""
        now = self._clock.now()
        reads = board_reads(period, now)
        with ThreadPoolExecutor(max_workers=self.CONNECTIONS, thread_name_prefix="board-read") as pool:
            futures = {name: pool.submit(self._read, read) for name, read in reads.items()}
            done = {name: future.result() for name, future in futures.items()}
        contacts = ContactCounts(done["tallies"], done["multichannel"])
        parts = [done[f"advisor part {index}"] for index in range(len(sql.ADVISOR_COUNT_PARTS))]
        counts = sql.combine_advisor_counts(done["advisors"], parts)
        return Board(
            now,
            period,
            done["promises"],
            done["late handoffs"],
            iceberg_weeks(period, done["iceberg"], contacts, done["deadlines"]),
            done["root causes"],
            advisor_rows(counts, contacts, done["deadlines"]),
        )

    def _read(self, read: Callable[[Session], Any]) -> Any:
        with self._store.read() as session:
            return read(session)
