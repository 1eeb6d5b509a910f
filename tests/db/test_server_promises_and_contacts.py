"""promise.create, promise.complete and contact.add through api.apply_mutation: the promise rules
judged at the time the advisor acted, one outcome per promise, contacts as append-only facts, and
the board's derived tables kept by the server's own inserts."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from console.ids import new_id
from domain.vocabulary import Role
from storage.models import ContactEvent, Promise
from tests.helpers.central import NOW, Central

pytestmark = pytest.mark.postgres


def promise(customer: uuid.UUID, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(new_id()),
        "customer_id": str(customer),
        "kind": "callback",
        "due_at": (NOW + timedelta(hours=2)).isoformat(),
        "phone_e164": "+447700900123",
        "note": "call back about the router",
    } | extra


def test_a_promise_made_offline_is_judged_at_the_time_it_was_made(central: Central) -> None:
    advisor = central.login(central.add_user(Role.ADVISOR, 0))
    customer = central.customer()
    # NOW is hours before the server's clock: due "in the past" now, but not when it was made.
    made = central.apply(advisor, "promise.create", promise(customer))
    assert made["state"] == "accepted" and made["record"]["status"] == "open"
    refusals = [
        (promise(customer, due_at=(NOW - timedelta(minutes=1)).isoformat()), "in the past"),
        (promise(customer, due_at=(NOW + timedelta(days=400)).isoformat()), "more than a year"),
        (promise(customer, phone_e164=None), "needs a number to call"),
        (promise(customer, phone_e164="07700 900123"), "E.164"),
        (promise(customer, due_at="tomorrow"), "ISO 8601"),
        (promise(customer, note="x" * 2_001), "too long"),
    ]
    for payload, words in refusals:
        result = central.apply(advisor, "promise.create", payload)
        assert result["state"] == "rejected" and words in result["reason"], payload


def test_a_promise_ends_once_and_a_missed_call_gets_its_follow_up(central: Central) -> None:
    alex = central.login(central.add_user(Role.ADVISOR, 0))
    bea = central.login(central.add_user(Role.SUPERVISOR, 0))  # who may end alex's promise too
    customer = central.customer()
    made = central.apply(alex, "promise.create", promise(customer))
    follow_up = str(new_id())
    missed = central.apply(
        alex,
        "promise.complete",
        {
            "id": made["entity_id"],
            "version": 1,
            "status": "not_reachable",
            "outcome": "voicemail",
            "next_attempt_at": (NOW + timedelta(hours=4)).isoformat(),
            "follow_up_id": follow_up,
        },
    )
    assert missed["state"] == "accepted", missed
    assert missed["record"]["follow_up_id"] == follow_up and missed["follow_up"]["status"] == "open"
    late = central.apply(
        bea, "promise.complete", {"id": made["entity_id"], "status": "done", "outcome": "rang"}
    )
    assert late["state"] == "conflict" and "already ended (customer not reachable)" in late["reason"]
    stale = central.apply(
        bea, "promise.complete", {"id": follow_up, "version": 9, "status": "done", "outcome": "ok"}
    )
    assert stale["state"] == "conflict" and "changed by someone else" in stale["reason"]
    for payload, words in [
        ({"id": follow_up, "status": "done"}, "say what happened"),
        ({"id": follow_up, "status": "not_reachable", "outcome": "x"}, "when to try again"),
        ({"id": follow_up, "status": "rescheduled", "outcome": "engineer ill"}, "was told"),
        ({"id": follow_up, "status": "open", "outcome": "x"}, "status must be one of"),
    ]:
        result = central.apply(bea, "promise.complete", payload)
        assert result["state"] == "rejected" and words in result["reason"], payload
    with Session(central.admin) as session:
        statuses = {str(row.id): row.status for row in session.scalars(select(Promise))}
    assert statuses == {made["entity_id"]: "not_reachable", follow_up: "open"}


def test_contacts_are_facts_sent_twice_kept_once(central: Central) -> None:
    advisor = central.login(central.add_user(Role.ADVISOR, 0))
    customer = central.customer()
    event = {
        "id": str(new_id()),
        "customer_id": str(customer),
        "channel": "phone",
        "direction": "inbound",
        "occurred_at": (NOW - timedelta(minutes=5)).isoformat(),
        "subject": "Router keeps dropping",
        "summary": "Customer called: line drops every evening ✓",
    }
    first = central.apply(advisor, "contact.add", event)
    again = central.apply(advisor, "contact.add", event)  # the same fact under another mutation id
    assert first["state"] == again["state"] == "accepted"
    assert first["record"]["occurred_at"].startswith("2026-11-25T09:55:00")
    clash = central.apply(advisor, "contact.add", event | {"summary": "something else"})
    assert clash["state"] == "rejected" and "already has this id" in clash["reason"]
    bad = central.apply(advisor, "contact.add", event | {"id": str(new_id()), "channel": "pigeon"})
    assert bad["state"] == "rejected" and "channel must be one of" in bad["reason"]
    with Session(central.admin) as session:
        assert len(session.scalars(select(ContactEvent)).all()) == 1


def test_a_customer_contact_sent_to_the_server_reaches_the_boards_tables(central: Central) -> None:
    """The board's triggers run inside the api functions (search_path pg_catalog, pg_temp): a
    customer contact about a case is marked, tallied and counted there too."""
    advisor = central.login(central.add_user(Role.ADVISOR, 0))
    customer = central.customer()
    case_id = str(central.case(customer)["id"])
    sent = []
    for minutes, channel in ((30, "phone"), (5, "email")):
        event = {
            "id": str(new_id()),
            "customer_id": str(customer),
            "case_id": case_id,
            "channel": channel,
            "direction": "inbound",
            "occurred_at": (NOW - timedelta(minutes=minutes)).isoformat(),
            "summary": "Customer asked again about the engineer",
        }
        assert central.apply(advisor, "contact.add", event)["state"] == "accepted"
        sent.append(event["id"])
    with central.admin.connect() as connection:
        marks = connection.execute(
            text(
                "SELECT event_id::text, is_repeat, other_channel_nearby FROM customer_contacts "
                "WHERE case_id = :case ORDER BY occurred_at"
            ),
            {"case": case_id},
        ).all()
        counted = connection.execute(
            text("SELECT first_event_id::text, contacts FROM case_contact_counts WHERE case_id = :case"),
            {"case": case_id},
        ).one()
    assert [tuple(row) for row in marks] == [(sent[0], False, True), (sent[1], True, True)]
    assert tuple(counted) == (sent[0], 2)
