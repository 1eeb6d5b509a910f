"""The shared case rule cases (tests/rules/case_cases.py) against the server's functions on a real
PostgreSQL: each row's case written as it stands, the act sent as the mutation the console queues,
the row read back. Every row runs; the failure lists each row where the server disagrees."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import text

from console.ids import new_id
from console.sync import outbox
from domain import mutation_kinds
from domain.records import UserRecord
from domain.vocabulary import CaseStatus, Role
from storage.models import Feedback
from tests.helpers.central import NOW, Central
from tests.rules.case_cases import CASE_CASES, CaseRuleCase, case_columns, disagreement, observed

pytestmark = pytest.mark.postgres


def mutation(
    case: CaseRuleCase,
    customer_id: uuid.UUID,
    case_id: uuid.UUID,
    actor: UserRecord,
    owners: dict[str, uuid.UUID],
    current_owner: uuid.UUID | None,
) -> tuple[str, dict[str, Any]]:
    """The mutation the console queues for the row's act."""
    p = case.payload
    if case.act == "open":
        target = NOW + p["target"] if p.get("target") is not None else None
        return mutation_kinds.CASE_OPEN, outbox.case_open(
            case_id=case_id,
            customer_id=customer_id,
            kind="broadband_fault",
            title=p["title"],
            severity="medium",
            target_at=target,
            event_id=new_id(),
        )
    check_due = NOW + p["check_due"] if p.get("check_due") is not None else None
    transitions: dict[str, dict[str, Any]] = {
        "resolve": {
            "root_cause_category": p.get("category", "").strip(),
            "root_cause_text": p.get("text", "").strip(),
            "confirmation": p.get("confirmation"),
            "check_due_at": check_due,
        },
        "confirm": {"confirmation": p.get("confirmation"), "check_due_at": check_due, "follow_up_id": None},
        "close_in_writing": {"letter": p.get("letter", "").strip()},
        "reopen": {"reason": p.get("reason", "").strip()},
        "formal_complaint": {"complaint_made_at": NOW - p["made"] if "made" in p else None},
        "deadlock": {"note": p.get("note", "").strip()},
        "adr_letter": {},
    }
    if case.act in transitions:
        fields = transitions[case.act]
        return f"case.{case.act}", outbox.case_transition(
            case_id=case_id, version=1, event_id=new_id(), **fields
        )
    if case.act in ("take", "hand_over"):
        to = (
            actor.id
            if case.act == "take"
            else {"colleague": owners["colleague"], "owner": current_owner, "nobody": uuid.uuid4()}[p["to"]]
        )
        assert to is not None
        return f"case.{case.act}", outbox.case_owner(
            case_id=case_id,
            from_owner_id=current_owner,
            to_user_id=to,
            note=p["note"].strip(),
            change_id=new_id(),
            event_id=new_id(),
        )
    assert case.act == "feedback", case.act
    return mutation_kinds.CASE_FEEDBACK, outbox.case_feedback(
        feedback_id=new_id(),
        case_id=case_id,
        fix_score=p["fix"],
        fault_score=p["fault"],
        cause_text=p["cause"],
        event_id=new_id(),
    )


def run(
    central: Central, case: CaseRuleCase, people: dict[Role, UserRecord], colleague: UserRecord
) -> str | None:
    actor = people[case.actor]
    owners = {"actor": actor.id, "colleague": colleague.id}
    customer_id = central.customer()
    case_id = new_id()
    current_owner = None
    if case.act != "open":
        before = case_columns(case.before, NOW, owners)
        current_owner = None if case.before.stale else before["owner_id"]  # the owner the advisor saw
        case_id = central.case(customer_id, **before)["id"]
        if case.before.feedback_given:
            with central.admin.begin() as connection:
                connection.execute(
                    Feedback.__table__.insert().values(
                        id=uuid.uuid4(),
                        case_id=case_id,
                        customer_id=customer_id,
                        fix_score=3,
                        fault_score=3,
                        received_at=NOW,
                    )
                )
    kind, payload = mutation(case, customer_id, case_id, actor, owners, current_owner)
    result = central.apply(central.login(actor), kind, payload, occurred_at=NOW)
    refusal = None if result["state"] == "accepted" else str(result.get("reason"))
    with central.admin.connect() as connection:
        row = connection.execute(text("SELECT * FROM cases WHERE id = :id"), {"id": case_id}).one_or_none()
        feedback = bool(
            connection.execute(
                text("SELECT count(*) FROM feedback WHERE case_id = :id"), {"id": case_id}
            ).scalar_one()
        )
    if row is None:
        return (
            disagreement(case, refusal, CaseStatus.OPEN, {})
            if refusal
            else "allowed, but no case on the server"
        )
    found = disagreement(case, refusal, CaseStatus(row.status), observed(row._mapping, NOW, owners, feedback))
    if found is None and refusal is not None and row.version != (2 if case.before.stale else 1):
        found = f"refused, yet the case changed (version {row.version})"
    return found


def test_the_server_agrees_with_every_case_rule_case(central: Central) -> None:
    people = {
        Role.ADVISOR: central.add_user(Role.ADVISOR, 0, hint="actor"),
        Role.SUPERVISOR: central.add_user(Role.SUPERVISOR, 0, hint="boss"),
    }
    colleague = central.add_user(Role.ADVISOR, 0, hint="colleague")
    wrong = {case.name: run(central, case, people, colleague) for case in CASE_CASES}
    disagreeing = {name: found for name, found in wrong.items() if found is not None}
    assert not disagreeing, "\n".join(f"{name}: {found}" for name, found in disagreeing.items())
