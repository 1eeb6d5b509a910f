"""Every answer the server gives carries only what its caller may read: every kind of the table of
mutation kinds, sent by an advisor with its ids pointing at another advisor's goodwill (decided or
pending) or at a soft-deleted customer, never brings back the amount, the reason or the name."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from domain import mutation_kinds
from domain.mutation_kinds import FieldType, MutationKind
from domain.vocabulary import Role
from tests.db.test_mutation_kinds_server import sample
from tests.helpers.central import Central, goodwill_payload

pytestmark = pytest.mark.postgres

SECRET_REASON = "SECRET-REASON-kept-from-other-advisors"
SECRET_AMOUNT = 4_321  # within the requester's limit: approved at once
SECRET_PENDING_AMOUNT = 98_765  # above it: awaiting approval
SECRET_NAME = "Zebedee-Deleted"

# The table a record's entity lives in, to ask whether the caller reads that row.
TABLES = {
    "goodwill": "goodwill",
    "customer": "customers",
    "customer_detail_change": "customer_detail_changes",
    "contact_event": "contact_events",
    "promise": "promises",
    "case": "cases",
    "case_owner_change": "case_owner_changes",
    "feedback": "feedback",
    "handoff": "handoffs",
    "offer_impression": "offer_impressions",
}


def aimed_at(row: MutationKind, target: uuid.UUID) -> dict[str, Any]:
    """The kind's payload with every id field naming `target`."""
    payload = {f.name: str(target) if f.type is FieldType.ID else sample(f) for f in row.fields}
    row.check(payload)
    return payload


def readable(engine: Engine, entity: str, record: dict[str, Any]) -> bool:
    with engine.begin() as connection:
        found = connection.execute(
            text(f"SELECT count(*) FROM public.{TABLES[entity]} WHERE id = CAST(:id AS uuid)"),
            {"id": record["id"]},
        ).scalar_one()
    return bool(found)


@pytest.fixture
def secrets(central: Central) -> dict[str, uuid.UUID]:
    """Another advisor's approved and pending goodwill, and a soft-deleted customer."""
    other = central.login(central.add_user(Role.ADVISOR, 5_000, hint="oth"))
    customer = central.customer()
    approved = goodwill_payload(customer, SECRET_AMOUNT, reason_text=SECRET_REASON)
    pending = goodwill_payload(customer, SECRET_PENDING_AMOUNT, reason_text=SECRET_REASON)
    assert central.apply(other, "goodwill.request", approved)["record"]["state"] == "approved"
    assert central.apply(other, "goodwill.request", pending)["record"]["state"] == "awaiting_approval"
    deleted = central.customer(given_name=SECRET_NAME, deleted=True)
    return {
        "approved goodwill": uuid.UUID(approved["id"]),
        "pending goodwill": uuid.UUID(pending["id"]),
        "deleted customer": deleted,
    }


def leaves(value: object) -> Iterator[object]:
    """Every value inside an answer, however deep."""
    if isinstance(value, dict):
        for item in value.values():
            yield from leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item)
    else:
        yield value


def leaks(answer: dict[str, Any]) -> list[str]:
    """The secrets an answer carries. An amount is a leak as a number or a whole number in words,
    never as four digits that happen to sit inside an id or a time."""
    words = json.dumps(answer)
    found = [secret for secret in (SECRET_REASON, SECRET_NAME) if secret in words]
    for amount in (SECRET_AMOUNT, SECRET_PENDING_AMOUNT):
        pounds = re.escape(f"{amount // 100}.{amount % 100:02d}")
        whole = re.compile(rf"(?<![\w.:-])({amount}|{pounds})(?![\w.:-])")
        for leaf in leaves(answer):
            if leaf == amount or (isinstance(leaf, str) and whole.search(leaf)):
                found.append(f"amount {amount}")
                break
    return found


@pytest.mark.parametrize("target", ["approved goodwill", "pending goodwill", "deleted customer"])
def test_no_answer_of_any_kind_carries_a_row_its_caller_may_not_read(
    central: Central, secrets: dict[str, uuid.UUID], target: str
) -> None:
    caller = central.login(central.add_user(Role.ADVISOR, 5_000))
    problems: dict[str, object] = {}
    for row in mutation_kinds.TABLE:
        answer = central.apply(caller, row.name, aimed_at(row, secrets[target]))
        if found := leaks(answer):
            problems[row.name] = found
        record = answer.get("record")
        if isinstance(record, dict) and "id" in record:
            entity = str(answer.get("entity") or row.entity)
            if not readable(caller, entity, record):
                problems[row.name] = f"{answer['state']} with a {entity} row the caller does not read"
    assert problems == {}


def test_an_advisor_approving_someone_elses_decided_request_is_told_only_that_they_may_not(
    central: Central, secrets: dict[str, uuid.UUID]
) -> None:
    caller = central.login(central.add_user(Role.ADVISOR, 5_000))
    for target in ("approved goodwill", "pending goodwill"):
        for kind in ("goodwill.approve", "goodwill.reject"):
            answer = central.apply(caller, kind, {"id": str(secrets[target]), "version": 1, "reason": "no"})
            assert (answer["state"], answer["record"]) == ("rejected", None), (kind, target)
            assert "supervisor" in str(answer["reason"])


def test_a_supervisor_still_gets_the_row_in_a_conflict(
    central: Central, secrets: dict[str, uuid.UUID]
) -> None:
    supervisor = central.login(central.add_user(Role.SUPERVISOR, 50_000))
    answer = central.apply(supervisor, "goodwill.approve", {"id": str(secrets["approved goodwill"])})
    assert answer["state"] == "conflict"
    assert answer["record"]["reason_text"] == SECRET_REASON
