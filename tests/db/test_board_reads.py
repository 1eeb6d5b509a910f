"""The board's reads at their edges, on SQLite and PostgreSQL: one read of the contact tallies serves
the iceberg's weeks and the period, first contacts before the period, the read shared out on two
connections equal to each measure read alone; and on SQLite, that no statement reads a whole table."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event

from console.board.measures import BoardService, advisor_measures, iceberg
from console.board.periods import PeriodKind, period
from console.clock import ManualClock
from domain.vocabulary import CaseStatus, Channel, Direction
from storage.store import Store
from tests.helpers import factories as f

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday; UK time is UTC in November


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@dataclass
class Log:
    store: Store


@pytest.fixture
def log(any_store: Store) -> Log:
    """Two advisors and a contact log reaching back before this week:

    - k1, resolved today: first customer contact by Alex on the 3rd, another by Bea on the 24th;
    - k2, resolved today: its only customer contact, by Bea, today at 07:00;
    - k3, open: Alex on the 16th at 20:00, Alex by chat on the 23rd at 10:00 (6 days 14 hours
      later: a repeat), Bea by email today at 08:00 (a repeat), Bea exactly seven days after the
      chat on the 30th (a repeat, next week);
    - a system note and an outbound call today, which are not customer contacts.
    """
    alex = f.user("alex")
    bea = f.user("bea")
    customer = f.customer(account="40000001")
    closed = {"status": CaseStatus.RESOLVED}
    k1 = f.case(customer, "CS-0000001", **closed, opened_at=at(1, 8), resolved_at=at(25, 9))
    k2 = f.case(customer, "CS-0000002", **closed, opened_at=at(25, 7), resolved_at=at(25, 8))
    k3 = f.case(customer, "CS-0000003", opened_at=at(16, 19))

    def contact(case: Any, when: datetime, by: Any, channel: Channel = Channel.PHONE) -> Any:
        return f.event(customer, when, channel, advisor=by.id, case_id=case.id)

    system = contact(k3, at(25, 8, 30), bea, Channel.SYSTEM)
    system.direction = Direction.INTERNAL
    outbound = contact(k3, at(25, 9), bea)
    outbound.direction = Direction.OUTBOUND
    events = [
        contact(k1, at(3, 9), alex),
        contact(k1, at(24, 9), bea),
        contact(k2, at(25, 7), bea),
        contact(k3, at(16, 20), alex),
        contact(k3, at(23, 10), alex, Channel.CHAT),
        contact(k3, at(25, 8), bea, Channel.EMAIL),
        contact(k3, at(30, 10), bea),
        system,
        outbound,
    ]
    with any_store.write() as session:
        session.add_all([alex, bea, customer])
        session.flush()
        session.add_all([k1, k2, k3])
        session.flush()
        session.add_all(events)
    return Log(any_store)


def read(store: Store, kind: PeriodKind, now: datetime = NOW) -> Any:
    return BoardService(store, ManualClock(now)).read(period(kind, now))


def test_today_counts_only_todays_contacts_while_its_week_counts_the_whole_week(log: Log) -> None:
    board = read(log.store, PeriodKind.TODAY)
    advisors = {a.name: a for a in board.advisors}
    assert (advisors["Bea"].contacts, advisors["Bea"].repeat_contact_pct) == (2, 50.0)
    assert (advisors["Alex"].contacts, advisors["Alex"].repeat_contact_pct) == (0, None)
    [week] = board.iceberg
    # The 23rd's chat and today's email; not the 24th (three weeks after k1's first contact).
    assert week.repeat_contacts == 2
    # k3 by chat and by email this week; k1 and k2 on one channel each.
    assert week.multichannel_cases == 1


def test_first_contact_resolution_looks_before_the_period(log: Log) -> None:
    advisors = {a.name: a for a in read(log.store, PeriodKind.TODAY).advisors}
    alex, bea = advisors["Alex"], advisors["Bea"]
    # k1 was resolved today; its first customer contact was Alex's on the 3rd, and there was another.
    assert (alex.cases_resolved, alex.first_contact_resolution_pct) == (1, 0.0)
    assert (bea.cases_resolved, bea.first_contact_resolution_pct) == (1, 100.0)


def test_this_week_and_the_weeks_around_it(log: Log) -> None:
    advisors = {a.name: a for a in read(log.store, PeriodKind.THIS_WEEK).advisors}
    assert (advisors["Alex"].contacts, advisors["Alex"].repeat_contact_pct) == (1, 100.0)
    assert (advisors["Bea"].contacts, advisors["Bea"].repeat_contact_pct) == (3, pytest.approx(100 / 3))
    later = at(30, 12)
    weeks = read(log.store, PeriodKind.LAST_4_WEEKS, later).iceberg
    by_start = {w.start: (w.repeat_contacts, w.multichannel_cases) for w in weeks}
    assert by_start[at(16, 0)] == (0, 0)  # the 16th's call: the case's first
    assert by_start[at(23, 0)] == (2, 1)
    assert by_start[at(30, 0)] == (1, 0)  # exactly seven days after the chat: still a repeat


@pytest.mark.parametrize("kind", [PeriodKind.TODAY, PeriodKind.THIS_WEEK, PeriodKind.LAST_4_WEEKS])
def test_the_read_on_two_connections_equals_each_measure_read_alone(log: Log, kind: PeriodKind) -> None:
    chosen = period(kind, NOW)
    board = BoardService(log.store, ManualClock(NOW)).read(chosen)
    with log.store.read() as session:
        assert board.iceberg == iceberg(session, chosen, NOW)
        assert board.advisors == advisor_measures(session, chosen, NOW)


# Tables that grow with the store: no board statement may read one of them whole.
BIG_TABLES = (
    "contact_events",
    "customer_contacts",
    "cases",
    "promises",
    "handoffs",
    "offer_impressions",
    "goodwill",
    "feedback",
)


def test_no_board_statement_reads_a_whole_table(sqlite_store: Store) -> None:
    """On SQLite (no table statistics, so the plan follows the schema, not the data), every board
    statement reaches the big tables through an index range or look-up, and none reads the contact
    log itself: its customer contacts are read from `customer_contacts`."""
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(sqlite_store.engine, "before_cursor_execute", capture)
    try:
        for kind in (PeriodKind.TODAY, PeriodKind.THIS_MONTH, PeriodKind.LAST_4_WEEKS):
            read(sqlite_store, kind)
    finally:
        event.remove(sqlite_store.engine, "before_cursor_execute", capture)
    assert len(statements) > 20
    aliases = {"contact": "customer_contacts"}
    with sqlite_store.engine.connect() as connection:
        for statement, parameters in statements:
            plan = [
                row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            ]
            for line in plan:
                scanned = re.match(r"SCAN (\w+)", line)
                table = aliases.get(scanned.group(1), scanned.group(1)) if scanned else None
                assert table not in BIG_TABLES, (line, statement)
                assert "contact_events" not in line, (line, statement)
