"""The shared promise rule cases (tests/rules/promise_cases.py) through the console's promise service on
SQLite, which applies console/promise_rules.py: the promise written as it stands, the act, read back."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from console.clock import ManualClock
from console.promise_rules import Outcome, PromiseRuleError
from console.services.promises import PromiseConflictError, PromiseService
from domain.records import UserRecord
from domain.vocabulary import PromiseStatus, Role
from storage.location import parse_location
from storage.models import Promise
from storage.queries import promises as promise_queries
from storage.queries import users
from storage.store import Store, open_store
from tests.helpers import factories
from tests.rules.promise_cases import (
    PROMISE_CASES,
    PromiseRuleCase,
    disagreement,
    observed,
    promise_columns,
)

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    opened = open_store(parse_location(str(Path(tmp_path_factory.mktemp("promise-rules")) / "store.db")))
    with opened.write() as session:
        session.add_all(
            [
                factories.user("actor"),
                factories.user("boss", Role.SUPERVISOR),
                factories.user("colleague"),
                factories.user("other"),
            ]
        )
    yield opened
    opened.close()


def person(store: Store, username: str) -> UserRecord:
    with store.read() as session:
        found = users.by_username(session, username)
    assert found is not None
    return found


@pytest.mark.parametrize("case", PROMISE_CASES, ids=lambda case: case.name)
def test_promise_rule_case(store: Store, case: PromiseRuleCase) -> None:
    actor = person(store, "boss" if case.actor is Role.SUPERVISOR else "actor")
    owners = {
        "actor": actor.id,
        "colleague": person(store, "colleague").id,
        "other": person(store, "other").id,
    }
    customer = factories.customer(account=f"7{next(_numbers):07d}")
    with store.write() as session:
        session.add(customer)
    case_id = None
    if case.before.case_owner is not None:
        made_case = factories.case(
            customer, reference=f"CS-7{next(_numbers):06d}", owner_id=owners[case.before.case_owner]
        )
        with store.write() as session:
            session.add(made_case)
        case_id = made_case.id
    service = PromiseService(store, ManualClock(NOW), actor)
    p = case.payload
    promise_id: uuid.UUID | None = None
    refusal = None
    try:
        if case.act == "make":
            window = NOW + p["window_end"] if p["window_end"] is not None else None
            made = service.make(
                customer.id, p["kind"], NOW + p["due"], window_end_at=window, phone=p["phone"], note=p["note"]
            )
            promise_id = made.id
        else:
            promise_id = uuid.uuid4()
            columns = promise_columns(case.before, NOW, owners, case_id)
            with store.write() as session:
                session.add(Promise(id=promise_id, customer_id=customer.id, **columns))
            with store.read() as session:
                record = promise_queries.get(session, promise_id)
            assert record is not None
            if case.before.stale:  # as the advisor read it, before someone else's change
                record = replace(record, version=1)
            if case.act == "end":
                next_at = NOW + p["next"] if p["next"] is not None else None
                service.close(record, Outcome(p["status"], p["text"], next_at, p["told"]))
            else:
                to = {"other": owners["other"], "owner": columns["owner_id"], "nobody": uuid.uuid4()}[p["to"]]
                service.reassign(record, to, p["note"])
    except (PromiseRuleError, PromiseConflictError) as error:
        refusal = str(error)
    status = None
    after = {}
    if promise_id is not None:
        with store.read() as session:
            row = session.execute(select(Promise.__table__).where(Promise.id == promise_id)).one()._mapping
        status, after = PromiseStatus(row["status"]), observed(row, owners)
        if refusal is not None:
            assert row["version"] == (2 if case.before.stale else 1), "refused, yet the promise changed"
    found = disagreement(case, refusal, status, after)
    assert found is None, found
