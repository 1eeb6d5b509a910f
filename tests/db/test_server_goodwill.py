"""The server's goodwill rules through api.apply_mutation, as the login roles of real users: the
shared rule cases, limits a hand-written mutation cannot beat, four eyes, one approval when
supervisors approve at once, idempotent retries, and the audit chain Python verifies."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from console.ids import new_id
from domain.records import UserRecord
from domain.vocabulary import GoodwillState, Role
from storage import audit
from storage.models import AuditEntry, Goodwill, MutationLog
from tests.helpers.central import Central, apply, goodwill_payload
from tests.rules.goodwill_cases import (
    ADVISOR_LIMIT,
    APPROVAL_CASES,
    FIRST_SUPERVISOR_LIMIT,
    REJECTION_CASES,
    REQUEST_CASES,
    ApprovalCase,
    RejectionCase,
    RequestCase,
)

pytestmark = pytest.mark.postgres


def goodwill_row(central: Central, goodwill_id: Any) -> Goodwill:
    with Session(central.admin) as session:
        row = session.get(Goodwill, uuid.UUID(str(goodwill_id)))
        assert row is not None
        session.expunge(row)
    return row


def check(result: dict[str, Any], refused: str | None) -> None:
    if refused:
        assert result["state"] in ("rejected", "conflict"), result
        assert refused in result["reason"]
    else:
        assert result["state"] == "accepted", result


@pytest.mark.parametrize("case", REQUEST_CASES, ids=lambda case: case.name)
def test_request_rule_cases(central: Central, case: RequestCase) -> None:
    advisor = central.add_user(Role.ADVISOR, case.limit_pence)
    payload = goodwill_payload(central.customer(), case.amount_pence, reason_text=case.reason)
    result = central.apply(central.login(advisor), "goodwill.request", payload)
    check(result, case.refused)
    if case.refused:
        with Session(central.admin) as session:
            assert session.get(Goodwill, uuid.UUID(payload["id"])) is None
        return
    row = goodwill_row(central, payload["id"])
    assert (row.state, row.authorisation) == (case.state, case.authorisation)
    assert result["record"]["state"] == case.state


@pytest.mark.parametrize("case", APPROVAL_CASES, ids=lambda case: case.name)
def test_approval_rule_cases(central: Central, case: ApprovalCase) -> None:
    approver = central.add_user(case.approver_role, case.approver_limit)
    requester = approver if case.approver == "requester" else central.add_user(Role.ADVISOR, ADVISOR_LIMIT)
    first = (
        approver
        if case.approver == "first approver"
        else central.add_user(Role.SUPERVISOR, FIRST_SUPERVISOR_LIMIT)
    )
    asked = central.apply(
        central.login(requester), "goodwill.request", goodwill_payload(central.customer(), case.amount_pence)
    )
    goodwill_id = asked["entity_id"]
    if case.before.value != "awaiting_approval":
        kind, extra = (
            ("goodwill.reject", {"reason": "not this time"})
            if case.before.value == "rejected"
            else (
                "goodwill.approve",
                {},
            )
        )
        assert central.apply(central.login(first), kind, {"id": goodwill_id} | extra)["state"] == "accepted"
    assert goodwill_row(central, goodwill_id).state == case.before

    result = central.apply(central.login(approver), "goodwill.approve", {"id": goodwill_id})
    check(result, case.refused)
    row = goodwill_row(central, goodwill_id)
    if case.refused:
        assert row.state == case.before
        return
    assert (row.state, row.authorisation) == (case.state, case.authorisation)


@pytest.mark.parametrize("case", REJECTION_CASES, ids=lambda case: case.name)
def test_rejection_rule_cases(central: Central, case: RejectionCase) -> None:
    decider = central.add_user(case.decider_role, FIRST_SUPERVISOR_LIMIT)
    requester = decider if case.decider == "requester" else central.add_user(Role.ADVISOR, ADVISOR_LIMIT)
    first = (
        decider
        if case.decider == "first approver"
        else central.add_user(Role.SUPERVISOR, FIRST_SUPERVISOR_LIMIT)
    )
    asked = central.apply(
        central.login(requester), "goodwill.request", goodwill_payload(central.customer(), case.amount_pence)
    )
    goodwill_id = asked["entity_id"]
    if case.before.value != "awaiting_approval":
        assert (
            central.apply(central.login(first), "goodwill.approve", {"id": goodwill_id})["state"]
            == "accepted"
        )
    assert goodwill_row(central, goodwill_id).state == case.before
    result = central.apply(central.login(decider), "goodwill.reject", {"id": goodwill_id, "reason": "no"})
    check(result, case.refused)
    assert goodwill_row(central, goodwill_id).state == (
        case.before if case.refused else GoodwillState.REJECTED
    )


def test_a_hand_written_mutation_cannot_exceed_the_limit(central: Central) -> None:
    advisor = central.add_user(Role.ADVISOR, 5_000)
    boss = central.add_user(Role.SUPERVISOR, 1_000_000)
    forged = goodwill_payload(
        central.customer(),
        90_000,
        state="approved",
        authorisation="second_supervisor",
        requested_by=str(boss.id),
        decided_by=str(boss.id),
        second_decided_by=str(boss.id),
        version=7,
    )
    result = central.apply(central.login(advisor), "goodwill.request", forged)
    assert result["state"] == "accepted"
    row = goodwill_row(central, forged["id"])
    assert row.state == "awaiting_approval" and row.authorisation is None
    assert row.requested_by == advisor.id and row.decided_by is None and row.version == 1


def test_an_advisor_cannot_approve_their_own_request(central: Central) -> None:
    advisor = central.add_user(Role.ADVISOR, 5_000)
    engine = central.login(advisor)
    asked = central.apply(engine, "goodwill.request", goodwill_payload(central.customer(), 9_000))
    for kind, extra in (("goodwill.approve", {"version": 1}), ("goodwill.reject", {"reason": "mine"})):
        result = central.apply(engine, kind, {"id": asked["entity_id"]} | extra)
        assert result["state"] == "rejected"
    assert goodwill_row(central, asked["entity_id"]).state == "awaiting_approval"


def test_the_table_refuses_self_approval_even_for_the_owner(central: Central) -> None:
    advisor = central.add_user(Role.ADVISOR, 5_000)
    asked = central.apply(
        central.login(advisor), "goodwill.request", goodwill_payload(central.customer(), 9_000)
    )
    with pytest.raises(DBAPIError, match="no_self_approval"), central.admin.begin() as connection:
        connection.execute(
            text("UPDATE goodwill SET decided_by = requested_by, state = 'approved' WHERE id = :id"),
            {"id": asked["entity_id"]},
        )


def approve_at_once(
    central: Central, supervisors: list[UserRecord], goodwill_id: str
) -> list[dict[str, Any]]:
    """Every supervisor approves the version they all saw, released together by a barrier."""
    engines = [central.login(person) for person in supervisors]
    for engine in engines:
        with engine.connect() as connection:  # open the pool's connection before the race
            connection.execute(text("SELECT 1"))
    barrier = threading.Barrier(len(engines))
    results: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def approve(engine: Any) -> None:
        try:
            with engine.begin() as connection:
                barrier.wait(timeout=30)
                results.append(apply(connection, "goodwill.approve", {"id": goodwill_id, "version": 1}))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=approve, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_supervisors_approving_at_the_same_moment_give_one_approval(central: Central) -> None:
    advisor = central.add_user(Role.ADVISOR, 5_000)
    supervisors = [central.add_user(Role.SUPERVISOR, 50_000) for _ in range(4)]
    asked = central.apply(
        central.login(advisor), "goodwill.request", goodwill_payload(central.customer(), 20_000)
    )
    results = approve_at_once(central, supervisors, asked["entity_id"])
    states = sorted(result["state"] for result in results)
    assert states == ["accepted", "conflict", "conflict", "conflict"]
    assert all(
        "already decided by" in result["reason"] for result in results if result["state"] == "conflict"
    )
    row = goodwill_row(central, asked["entity_id"])
    assert row.state == "approved" and row.version == 2
    with Session(central.admin) as session:
        approvals = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "goodwill.approve", AuditEntry.entity_id == uuid.UUID(asked["entity_id"])
            )
        ).all()
    assert len(approvals) == 1


def test_a_retry_returns_the_stored_result_and_applies_nothing_twice(central: Central) -> None:
    advisor = central.add_user(Role.ADVISOR, 5_000)
    engine = central.login(advisor)
    mutation = new_id()
    payload = goodwill_payload(central.customer(), 2_000)
    first = central.apply(engine, "goodwill.request", payload, mutation_id=mutation)
    again = central.apply(engine, "goodwill.request", payload, mutation_id=mutation)
    assert again == first and first["state"] == "accepted"
    # A retry carrying something else under the same id still answers with what was decided.
    changed = central.apply(
        engine, "goodwill.request", payload | {"amount_pence": 9_999}, mutation_id=mutation
    )
    assert changed == first
    with Session(central.admin) as session:
        assert len(session.scalars(select(Goodwill)).all()) == 1
        logged = session.get(MutationLog, mutation)
        assert logged is not None and logged.state == "accepted" and logged.actor == advisor.username
    rejected_id = new_id()
    refused = central.apply(
        engine, "goodwill.request", payload | {"reason_text": " "}, mutation_id=rejected_id
    )
    assert refused["state"] == "rejected"
    assert central.apply(engine, "goodwill.request", payload, mutation_id=rejected_id) == refused


def test_someone_elses_mutation_id_is_refused(central: Central) -> None:
    alex = central.add_user(Role.ADVISOR, 5_000)
    mallory = central.add_user(Role.ADVISOR, 5_000)
    mutation = new_id()
    central.apply(
        central.login(alex),
        "goodwill.request",
        goodwill_payload(central.customer(), 100),
        mutation_id=mutation,
    )
    with pytest.raises(DBAPIError, match="belongs to another user"):
        central.apply(
            central.login(mallory),
            "goodwill.request",
            goodwill_payload(central.customer(), 100),
            mutation_id=mutation,
        )


def test_unknown_kinds_and_bad_payloads_are_rejected_not_errors(central: Central) -> None:
    advisor = central.add_user(Role.ADVISOR, 5_000)
    engine = central.login(advisor)
    customer = central.customer()
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("goodwill.grant", {}, "does not know the mutation kind"),
        ("goodwill.request", goodwill_payload(customer, 100, id="not-a-uuid"), "not an id"),
        ("goodwill.request", goodwill_payload(customer, 100) | {"amount_pence": 12.5}, "whole number"),
        ("goodwill.request", goodwill_payload(customer, 100) | {"amount_pence": "100"}, "whole number"),
        ("goodwill.request", goodwill_payload(customer, 100, kind="cash"), "kind must be one of"),
        ("goodwill.request", goodwill_payload(uuid.uuid4(), 100), "no such customer"),
        ("goodwill.request", goodwill_payload(customer, 1_000_001), "more than £10,000.00"),
        ("goodwill.approve", {"id": str(uuid.uuid4())}, "no such goodwill request"),
    ]
    for kind, payload, words in cases:
        result = central.apply(engine, kind, payload)
        assert result["state"] == "rejected", (kind, payload)
        assert words in result["reason"]


def test_a_disabled_user_is_refused_at_the_door(central: Central) -> None:
    from storage.server.users import disable_user

    advisor = central.add_user(Role.ADVISOR, 5_000)
    engine = central.login(advisor)
    central.apply(engine, "goodwill.request", goodwill_payload(central.customer(), 100))
    with central.admin.begin() as connection:  # keep the role able to log in: the function must refuse
        connection.execute(text("UPDATE users SET active = false WHERE id = :id"), {"id": advisor.id})
    with pytest.raises(DBAPIError, match="is disabled"):
        central.apply(engine, "goodwill.request", goodwill_payload(central.customer(), 100))
    engine.dispose()
    disable_user(central.location, advisor.username)
    with pytest.raises(DBAPIError, match="not permitted to log in"):
        central.apply(central.login(advisor), "goodwill.request", goodwill_payload(central.customer(), 100))


def test_every_decision_is_in_the_chain_python_verifies(central: Central) -> None:
    advisor = central.add_user(Role.ADVISOR, 5_000, display_name="Zoë O'Brien")
    sam = central.add_user(Role.SUPERVISOR, 10_000)
    kim = central.add_user(Role.SUPERVISOR, 50_000)
    odd = 'Días sin servicio ✓ "quoted" \\ back\nslash\ttab 🎉 \x7f end'
    asked = central.apply(
        central.login(advisor),
        "goodwill.request",
        goodwill_payload(central.customer(), 20_000, reason_category="other ✓", reason_text=odd),
    )
    central.apply(central.login(sam), "goodwill.approve", {"id": asked["entity_id"], "note": odd})
    central.apply(central.login(kim), "goodwill.approve", {"id": asked["entity_id"], "note": "ok"})
    central.apply(
        central.login(kim), "goodwill.approve", {"id": asked["entity_id"]}
    )  # a conflict, audited too
    with Session(central.admin) as session:
        audit.append(
            session,
            at=asked_at(),
            actor="python",
            action="test",
            entity="none",
            entity_id=None,
            detail={"n": odd},
        )
        session.commit()
        actions = [row.action for row in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
        assert audit.verify(session) == []
    assert actions[-5:] == [
        "goodwill.request",
        "goodwill.approve",
        "goodwill.approve",
        "mutation.conflict",
        "test",
    ]

    with central.admin.begin() as connection:
        connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        connection.execute(
            text("UPDATE audit_log SET detail = CAST(:d AS json) WHERE action = 'goodwill.request'"),
            {"d": '{"amount_pence": 1}'},
        )
    with Session(central.admin) as session:
        problems = audit.verify(session)
        edited = session.scalar(select(AuditEntry.seq).where(AuditEntry.action == "goodwill.request"))
    assert problems and problems[0].startswith(f"seq {edited}:")


def asked_at() -> Any:
    from datetime import UTC, datetime

    return datetime(2026, 11, 25, 11, 0, 0, 654321, tzinfo=UTC)
