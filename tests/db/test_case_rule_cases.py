"""The shared case rule cases (tests/rules/case_cases.py) through the console's case service on SQLite,
which applies console/case_rules.py: each row's case written as it stands, the act, the row read back."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from console.adr_letter import Letter
from console.case_rules import CaseRuleError
from console.clock import ManualClock
from console.services.cases import CaseService
from domain.records import UserRecord
from domain.vocabulary import CaseKind, CaseStatus, Role
from storage.location import parse_location
from storage.models import Case, Feedback
from storage.queries import cases as case_queries
from storage.queries import customers as customer_queries
from storage.queries import users
from storage.store import Store, open_store
from tests.helpers import factories
from tests.rules.case_cases import CASE_CASES, CaseRuleCase, case_columns, disagreement, observed

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    opened = open_store(parse_location(str(Path(tmp_path_factory.mktemp("case-rules")) / "store.db")))
    with opened.write() as session:
        session.add_all(
            [
                factories.user("actor"),
                factories.user("boss", Role.SUPERVISOR),
                factories.user("colleague"),
            ]
        )
    yield opened
    opened.close()


def person(store: Store, username: str) -> UserRecord:
    with store.read() as session:
        found = users.by_username(session, username)
    assert found is not None
    return found


def act(
    store: Store,
    service: CaseService,
    case: CaseRuleCase,
    customer_id: uuid.UUID,
    case_id: uuid.UUID | None,
    owners: dict[str, uuid.UUID],
    current_owner: uuid.UUID | None,
) -> uuid.UUID:
    """Do the row's act; the id of the case it is about."""
    p = case.payload
    if case.act == "open":
        target = NOW + p["target"] if p.get("target") is not None else None
        return service.open(customer_id, CaseKind.BROADBAND_FAULT, p["title"], target_at=target).id
    assert case_id is not None
    with store.read() as session:  # the case as the advisor last read it
        summary = customer_queries.case_by_id(session, case_id)
    assert summary is not None
    if case.before.stale:  # as the advisor read it, before someone else's change
        summary = replace(summary, version=1, owner_id=None)
    check_due = NOW + p["check_due"] if p.get("check_due") is not None else None
    if case.act == "resolve":
        service.resolve(summary, p["category"], p["text"], p["confirmation"], check_due)
    elif case.act == "confirm":
        service.record_confirmation(summary, p["confirmation"], check_due)
    elif case.act == "close_in_writing":
        service.close_in_writing(summary, p["letter"])
    elif case.act == "reopen":
        service.reopen(summary, p["reason"])
    elif case.act == "formal_complaint":
        service.mark_complaint(summary, NOW - p["made"])
    elif case.act == "deadlock":
        service.declare_deadlock(summary, p["note"])
    elif case.act == "adr_letter":
        service.send_adr_letter(summary, Letter("Your complaint", "You may now go to the ombudsman."))
    elif case.act == "take":
        service.take_over(summary, p["note"])
    elif case.act == "hand_over":
        to = {"colleague": owners["colleague"], "owner": current_owner, "nobody": uuid.uuid4()}[p["to"]]
        assert to is not None
        service.hand_over(summary, to, p["note"])
    elif case.act == "feedback":
        service.record_feedback(summary, p["fix"], p["fault"], p["cause"])
    else:
        raise AssertionError(f"unknown act {case.act}")
    return case_id


@pytest.mark.parametrize("case", CASE_CASES, ids=lambda case: case.name)
def test_case_rule_case(store: Store, case: CaseRuleCase) -> None:
    actor = person(store, "boss" if case.actor is Role.SUPERVISOR else "actor")
    owners = {"actor": actor.id, "colleague": person(store, "colleague").id}
    number = next(_numbers)
    customer = factories.customer(account=f"6{number:07d}")
    before: dict[str, Any] = {}
    case_id = None
    with store.write() as session:
        session.add(customer)
        session.flush()
        session.add(factories.phone(customer, "07700 900123"))
        if case.act != "open":
            before = case_columns(case.before, NOW, owners)
            row = factories.case(customer, f"CS-{number:07d}", **before)
            session.add(row)
            session.flush()
            case_id = row.id
            if case.before.feedback_given:
                session.add(
                    Feedback(
                        id=uuid.uuid4(),
                        case_id=row.id,
                        customer_id=customer.id,
                        fix_score=3,
                        fault_score=3,
                        customer_cause_text=None,
                        received_at=NOW,
                    )
                )
    service = CaseService(store, ManualClock(NOW), actor)
    refusal = None
    try:
        case_id = act(store, service, case, customer.id, case_id, owners, before.get("owner_id"))
    except CaseRuleError as error:
        refusal = str(error)
    if case_id is None:  # refused before a case was made
        assert refusal is not None
        found = disagreement(case, refusal, CaseStatus.OPEN, {})
        assert found is None, found
        return
    with store.read() as session:
        after = session.execute(select(Case.__table__).where(Case.id == case_id)).one()._mapping
        feedback = case_queries.has_feedback(session, case_id)
    found = disagreement(case, refusal, CaseStatus(after["status"]), observed(after, NOW, owners, feedback))
    assert found is None, found
    if refusal is not None:  # nothing changed
        assert after["version"] == before["version"]
