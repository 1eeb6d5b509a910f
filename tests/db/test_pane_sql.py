"""The pane's plain-SQL reads (proven equal, field by field, to the ORM queries they replaced before
those went): each field of its declared type, and the story customers' records as their stories tell,
on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import types
import typing
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from console.seed import seed_store
from console.seed.stories import STORY_ACCOUNTS
from domain.vocabulary import (
    CaseKind,
    CaseStatus,
    Channel,
    Direction,
    GoodwillKind,
    GoodwillState,
    HandoffKind,
    HandoffStatus,
    PromiseKind,
    PromiseStatus,
    Team,
)
from storage import pane_sql
from storage.location import StoreLocation, parse_location
from storage.models import Customer, User
from storage.queries import customers, users
from storage.store import Store, open_store

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
SINCE = NOW - timedelta(days=60)


def ids_of(store: Store) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    with store.read() as session:
        customer_ids = list(session.scalars(select(Customer.id).order_by(Customer.account_number)))
        stories = list(
            session.scalars(select(Customer.id).where(Customer.account_number.in_(STORY_ACCOUNTS)))
        )
        user_ids = list(session.scalars(select(User.id)))
    assert len(stories) == len(STORY_ACCOUNTS) and set(stories) <= set(customer_ids)
    return customer_ids, user_ids


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    location = parse_location(str(Path(tmp_path_factory.mktemp("pane-sql")) / "store.db"))
    store = open_store(location)
    seed_store(store, customers=40, seed=3, now=NOW)
    yield store
    store.close()


def has_declared_types(record: Any) -> None:
    """Every field of `record` (and of the records in it) is of the type its dataclass declares."""
    hints = typing.get_type_hints(type(record))
    for item in dataclasses.fields(record):
        value = getattr(record, item.name)
        declared = hints[item.name]
        allowed = typing.get_args(declared) if typing.get_origin(declared) is types.UnionType else (declared,)
        origins = tuple(typing.get_origin(kind) or kind for kind in allowed)
        assert isinstance(value, origins), (type(record).__name__, item.name, value)
        assert not isinstance(value, bool) or bool in origins, (item.name, value)  # no 0/1 for a flag
        if isinstance(value, datetime):
            assert value.tzinfo is UTC, item.name
        for inner in value if isinstance(value, tuple | list) else (value,):
            if dataclasses.is_dataclass(inner):
                has_declared_types(inner)


def test_every_field_read_has_its_declared_type(seeded: Store) -> None:
    every_field_has_its_declared_type(seeded)


def every_field_has_its_declared_type(store: Store) -> None:
    customer_ids, user_ids = ids_of(store)
    with store.plain_snapshot() as reader:
        for customer_id in customer_ids:
            profile = pane_sql.profile(reader, customer_id)
            assert profile is not None
            records: list[Any] = [profile]
            records += pane_sql.history_page(reader, customer_id)
            records += pane_sql.cases(reader, customer_id)
            records += pane_sql.promises(reader, customer_id)
            records += pane_sql.handoffs(reader, customer_id)
            records += pane_sql.goodwill_for_customer(reader, customer_id)
            for record in records:
                has_declared_types(record)
        for record in [
            *pane_sql.active_offers(reader),
            *pane_sql.goodwill_pending(reader, SINCE),
            *pane_sql.active_users(reader),
        ]:
            has_declared_types(record)
        for user_id in user_ids:
            for record in pane_sql.open_for_owner(reader, user_id):
                has_declared_types(record)
            for record in pane_sql.goodwill_decided_since(reader, user_id, NOW - timedelta(days=3000)):
                has_declared_types(record)


def ago(moment: datetime | None) -> timedelta | None:
    return None if moment is None else NOW - moment


def story(store: Store, account: str) -> dict[str, Any]:
    """What the pane reads of a story customer, as NOW minus each time, in a few words per part."""
    with store.read() as session:
        supervisor = users.by_username(session, "supervisor")
        customer_id = customers.customer_id_for_account(session, account)
    assert supervisor is not None and customer_id is not None
    with store.plain_snapshot() as reader:
        p = pane_sql.profile(reader, customer_id)
        assert p is not None
        history = pane_sql.history_page(reader, customer_id)
        return {
            "header": (
                p.full_name,
                p.phones,
                p.postcode,
                p.vulnerable,
                p.marketing_consent,
                p.preferred_channel,
                p.account_owner,
                [(c.from_name, c.to_name, ago(c.changed_at)) for c in p.owner_changes],
            ),
            "cases": [
                (c.reference, c.kind, c.status, c.owner_name, ago(c.opened_at), c.formal_complaint)
                for c in pane_sql.cases(reader, customer_id)
            ],
            "history": (
                len(history),
                [
                    (e.channel, e.direction, e.advisor_name, e.case_reference, ago(e.occurred_at))
                    for e in history[:3]
                ],
            ),
            "promises": [
                (x.kind, x.status, x.owner_name, x.case_reference, ago(x.due_at))
                for x in pane_sql.promises(reader, customer_id)
            ],
            "handoffs": [
                (h.kind, h.status, h.from_team, h.to_team, h.created_by_name, ago(h.acknowledge_by))
                for h in pane_sql.handoffs(reader, customer_id)
            ],
            "goodwill": (
                pane_sql.goodwill_limit(reader, supervisor.id),
                [
                    (g.kind, g.amount_pence, g.state, g.requested_by_name, g.decided_by_name)
                    for g in pane_sql.goodwill_for_customer(reader, customer_id)
                ],
            ),
        }


D, H, M = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)
DANIEL, ALEX, KOFI = "Daniel Okafor", "Alex Advisor", "Kofi Mensah"


def test_the_story_customers_read_as_their_stories_tell(seeded: Store) -> None:
    stories_told(seeded)


@pytest.mark.postgres
def test_on_postgres_too(pg_location: StoreLocation) -> None:
    store = open_store(pg_location)
    try:
        seed_store(store, customers=40, seed=3, now=NOW)
        every_field_has_its_declared_type(store)
        stories_told(store)
        with store.plain_snapshot() as reader:  # both parameter styles, an IN list and a keyset
            customer_id = ids_of(store)[0][0]
            page = pane_sql.history_page(reader, customer_id, limit=3)
            channels = frozenset({page[0].channel})
            later = pane_sql.history_page(reader, customer_id, channels=channels, after=page[0].key, limit=3)
            assert all(e.channel in channels and e.key.occurred_at <= page[0].occurred_at for e in later)
    finally:
        store.close()


def stories_told(seeded: Store) -> None:
    assert story(seeded, "10000001") == {
        "header": (
            "Mr Jonathan Finch",
            ("+441134960210", "+447700900210"),
            "LS11 5QN",
            False,
            True,
            Channel.EMAIL,
            DANIEL,
            [("Graham Pike", DANIEL, 119 * D + 23 * H + 30 * M), (None, "Graham Pike", 4380 * D + 30 * M)],
        ),
        "cases": [("CS-0000001", CaseKind.HOME_MOVE, CaseStatus.IN_PROGRESS, DANIEL, 40 * D + 10 * M, False)],
        "history": (
            7,
            [
                (Channel.SOCIAL, Direction.INBOUND, None, "CS-0000001", D + H + 40 * M),
                (Channel.PHONE, Direction.INBOUND, ALEX, "CS-0000001", 2 * D + 23 * H + 45 * M),
                (Channel.CHAT, Direction.INBOUND, ALEX, "CS-0000001", 7 * D + 18 * H),
            ],
        ),
        "promises": [
            (PromiseKind.CALLBACK, PromiseStatus.OPEN, ALEX, "CS-0000001", D + 22 * H + 30 * M),
            (PromiseKind.PROGRESS_UPDATE, PromiseStatus.OPEN, DANIEL, "CS-0000001", -3 * H),
        ],
        "handoffs": [
            (
                HandoffKind.ORDER,
                HandoffStatus.AWAITING_ACK,
                Team.SALES,
                Team.PROVISIONING,
                DANIEL,
                38 * D + 23 * H + 55 * M,
            )
        ],
        "goodwill": (50000, []),
    }
    assert story(seeded, "10000002") == {
        "header": (
            "Mrs Margaret Holloway",
            ("+441174960456", "+447700900456"),
            "BS9 3DX",
            True,
            False,
            Channel.PHONE,
            None,
            [],
        ),
        "cases": [
            ("CS-0000003", CaseKind.COMPLAINT, CaseStatus.CLOSED, KOFI, 66 * D + H + 30 * M, True),
            ("CS-0000002", CaseKind.LANDLINE_FAULT, CaseStatus.CLOSED, ALEX, 75 * D + 50 * M, False),
        ],
        "history": (
            10,
            [
                (Channel.PHONE, Direction.INBOUND, ALEX, None, 9 * D + 19 * H + 30 * M),
                (Channel.LETTER, Direction.OUTBOUND, KOFI, "CS-0000003", 54 * D + 20 * H + 30 * M),
                (Channel.PHONE, Direction.OUTBOUND, ALEX, "CS-0000002", 60 * D + 30 * M),
            ],
        ),
        "promises": [
            (PromiseKind.COMPLAINT_DEADLINE, PromiseStatus.DONE, KOFI, "CS-0000003", 10 * D + H + 30 * M),
            (PromiseKind.ENGINEER_VISIT, PromiseStatus.DONE, KOFI, "CS-0000002", 62 * D + 2 * H + 30 * M),
            (PromiseKind.CALLBACK, PromiseStatus.NOT_REACHABLE, ALEX, "CS-0000002", 71 * D + 30 * M),
            (PromiseKind.CALLBACK, PromiseStatus.NOT_REACHABLE, ALEX, "CS-0000002", 73 * D + 19 * H + 30 * M),
        ],
        "handoffs": [],
        "goodwill": (
            50000,
            [(GoodwillKind.COMPENSATION, 6000, GoodwillState.APPROVED, KOFI, "Sam Supervisor")],
        ),
    }
    assert story(seeded, "10000003") == {
        "header": ("Ms Chloe Bennett", ("+447700900123",), "M14 5RT", False, True, Channel.CHAT, None, []),
        "cases": [
            (
                "CS-0000004",
                CaseKind.BROADBAND_FAULT,
                CaseStatus.IN_PROGRESS,
                ALEX,
                4 * D + 2 * H + 15 * M,
                False,
            )
        ],
        "history": (
            7,
            [
                (Channel.PHONE, Direction.OUTBOUND, ALEX, "CS-0000004", 23 * H + 30 * M),
                (Channel.CHAT, Direction.INBOUND, ALEX, "CS-0000004", D + 22 * H),
                (Channel.SYSTEM, Direction.INTERNAL, None, "CS-0000004", D + 22 * H + 25 * M),
            ],
        ),
        "promises": [
            (PromiseKind.CALLBACK, PromiseStatus.OPEN, ALEX, "CS-0000004", -12 * M),
            (PromiseKind.ENGINEER_VISIT, PromiseStatus.OPEN, ALEX, "CS-0000004", -21 * H - 30 * M),
        ],
        "handoffs": [
            (
                HandoffKind.TASK,
                HandoffStatus.ACKNOWLEDGED,
                Team.FRONT_LINE,
                Team.TECHNICAL,
                ALEX,
                3 * D + 21 * H + 50 * M,
            )
        ],
        "goodwill": (
            50000,
            [(GoodwillKind.GOODWILL_CREDIT, 7500, GoodwillState.AWAITING_APPROVAL, ALEX, None)],
        ),
    }
    assert story(seeded, "10000004") == {
        "header": (
            "Mr Derek Ashworth",
            ("+447700900789", "+441154960789"),
            "NG5 2LP",
            False,
            True,
            Channel.PHONE,
            None,
            [],
        ),
        "cases": [
            ("CS-0000006", CaseKind.BROADBAND_FAULT, CaseStatus.CLOSED, ALEX, 20 * D + 2 * H + 50 * M, False),
            ("CS-0000005", CaseKind.PLAN_CHANGE, CaseStatus.CLOSED, DANIEL, 21 * D + 30 * M, False),
        ],
        "history": (
            6,
            [
                (Channel.PHONE, Direction.INBOUND, ALEX, None, 5 * D + 19 * H + 30 * M),
                (Channel.PHONE, Direction.OUTBOUND, ALEX, "CS-0000006", 20 * D + 50 * M),
                (Channel.SYSTEM, Direction.INTERNAL, None, "CS-0000006", 20 * D + H + 10 * M),
            ],
        ),
        "promises": [],
        "handoffs": [
            (HandoffKind.ORDER, HandoffStatus.DONE, Team.SALES, Team.PROVISIONING, DANIEL, 20 * D + 20 * M)
        ],
        "goodwill": (50000, []),
    }
