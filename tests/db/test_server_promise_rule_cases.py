"""The shared promise rule cases (tests/rules/promise_cases.py) against the server's functions on a real
PostgreSQL: the promise written as it stands, the act sent as the mutation the console queues, the
row read back. Every row runs; the failure lists each row where the server disagrees."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import text

from console.ids import new_id
from console.sync import outbox
from domain import mutation_kinds
from domain.records import UserRecord
from domain.vocabulary import PromiseStatus, Role
from storage.models import Promise
from tests.helpers.central import NOW, Central
from tests.rules.promise_cases import (
    CONSOLE_ONLY,
    PROMISE_CASES,
    PromiseRuleCase,
    disagreement,
    observed,
    promise_columns,
)

pytestmark = pytest.mark.postgres


def mutation(
    case: PromiseRuleCase, customer_id: uuid.UUID, promise_id: uuid.UUID, owners: dict[str, uuid.UUID]
) -> tuple[str, dict[str, Any]]:
    """The mutation the console's promise service queues for the row's act."""
    p = case.payload
    if case.act == "make":
        return mutation_kinds.PROMISE_CREATE, outbox.promise_create(
            promise_id=promise_id,
            customer_id=customer_id,
            case_id=None,
            kind=p["kind"].value,
            due_at=NOW + p["due"],
            window_end_at=NOW + p["window_end"] if p["window_end"] is not None else None,
            phone_e164=p["phone"],
            note=p["note"].strip() or None,
            event_id=new_id(),
        )
    if case.act == "reassign":
        owner = owners[case.before.owner]
        to = {"other": owners["other"], "owner": owner, "nobody": uuid.uuid4()}[p["to"]]
        return mutation_kinds.PROMISE_REASSIGN, outbox.promise_reassign(
            promise_id=promise_id, version=1, to_user_id=to, note=p["note"].strip(), event_id=new_id()
        )
    assert case.act == "end", case.act
    next_at = NOW + p["next"] if p["next"] is not None else None
    return mutation_kinds.PROMISE_COMPLETE, outbox.promise_complete(
        promise_id=promise_id,
        version=1,
        status=p["status"].value,
        outcome=p["text"].strip(),
        next_attempt_at=next_at,
        customer_told=p["told"],
        follow_up_id=new_id() if next_at is not None else None,
        event_id=new_id(),
    )


def run(central: Central, case: PromiseRuleCase, people: dict[str, UserRecord]) -> str | None:
    actor = people["boss" if case.actor is Role.SUPERVISOR else "actor"]
    owners = {"actor": actor.id, "colleague": people["colleague"].id, "other": people["other"].id}
    customer_id = central.customer()
    promise_id = new_id()
    case_id = None
    if case.before.case_owner is not None:
        case_id = central.case(customer_id, owner_id=owners[case.before.case_owner])["id"]
    if case.act != "make":
        with central.admin.begin() as connection:
            connection.execute(
                Promise.__table__.insert().values(
                    id=promise_id,
                    customer_id=customer_id,
                    **promise_columns(case.before, NOW, owners, case_id),
                )
            )
    kind, payload = mutation(case, customer_id, promise_id, owners)
    result = central.apply(central.login(actor), kind, payload, occurred_at=NOW)
    refusal = None if result["state"] == "accepted" else str(result.get("reason"))
    with central.admin.connect() as connection:
        row = connection.execute(
            text("SELECT * FROM promises WHERE id = :id"), {"id": promise_id}
        ).one_or_none()
    if row is None:
        return disagreement(case, refusal, None, {}) if refusal else "allowed, but no promise on the server"
    found = disagreement(case, refusal, PromiseStatus(row.status), observed(row._mapping, owners))
    if found is None and refusal is not None and row.version != (2 if case.before.stale else 1):
        found = f"refused, yet the promise changed (version {row.version})"
    return found


def test_the_server_agrees_with_every_promise_rule_case(central: Central) -> None:
    people = {
        "actor": central.add_user(Role.ADVISOR, 0, hint="actor"),
        "boss": central.add_user(Role.SUPERVISOR, 0, hint="boss"),
        "colleague": central.add_user(Role.ADVISOR, 0, hint="colleague"),
        "other": central.add_user(Role.ADVISOR, 0, hint="other"),
    }
    wrong = {case.name: run(central, case, people) for case in PROMISE_CASES if case.act not in CONSOLE_ONLY}
    disagreeing = {name: found for name, found in wrong.items() if found is not None}
    assert not disagreeing, "\n".join(f"{name}: {found}" for name, found in disagreeing.items())


def test_the_console_only_acts_are_still_unknown_to_the_server(central: Central) -> None:
    """The rows of CONSOLE_ONLY acts run on the console alone because the server has no function for
    them: when it gains one, this fails, and the rows should run here too."""
    advisor = central.login(central.add_user(Role.SUPERVISOR, 0))
    for act in CONSOLE_ONLY:
        result = central.apply(advisor, f"promise.{act}", {})
        assert result["state"] == "rejected" and "does not know the mutation kind" in result["reason"], result
