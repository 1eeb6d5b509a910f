"""promise.reassign on the server: a supervisor gives an advisor's open promise to a colleague; the
timeline line, the audit entry (in the chain `audit verify` checks) and the change pulled by others."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from console.ids import new_id
from domain.vocabulary import Role
from storage import audit
from tests.helpers.central import NOW, Central

pytestmark = pytest.mark.postgres


def test_a_supervisor_reassigns_a_promise_on_the_timeline_and_in_the_audit_chain(central: Central) -> None:
    alex = central.add_user(Role.ADVISOR, 0, display_name="Alex Advisor")
    jo = central.add_user(Role.ADVISOR, 0, display_name="Jo Okafor")
    sam = central.add_user(Role.SUPERVISOR, 0, display_name="Sam Supervisor")
    customer = central.customer()
    promise_id = str(new_id())
    made = central.apply(
        central.login(alex),
        "promise.create",
        {
            "id": promise_id,
            "customer_id": str(customer),
            "kind": "callback",
            "due_at": (NOW + timedelta(hours=2)).isoformat(),
            "phone_e164": "+447700900123",
        },
    )
    assert made["state"] == "accepted"
    event_id = new_id()
    payload = {
        "id": promise_id,
        "version": 1,
        "to_user_id": str(jo.id),
        "note": " Alex is off sick ",
        "event_id": str(event_id),
    }
    moved = central.apply(central.login(sam), "promise.reassign", payload)
    assert moved["state"] == "accepted", moved
    assert moved["record"]["owner_id"] == str(jo.id) and moved["record"]["version"] == 2
    # The same promise again at the version seen: someone else moved it meanwhile.
    again = central.apply(central.login(sam), "promise.reassign", payload | {"event_id": str(new_id())})
    assert again["state"] == "conflict" and "changed by someone else" in again["reason"]
    assert again["record"]["owner_id"] == str(jo.id)

    with central.admin.connect() as connection:
        line = connection.execute(
            text("SELECT subject, summary, advisor_id FROM contact_events WHERE id = :id"), {"id": event_id}
        ).one()
        entry = connection.execute(
            text("SELECT actor, detail FROM audit_log WHERE action = 'promise.reassign' AND entity_id = :id"),
            {"id": uuid.UUID(promise_id)},
        ).one()
    assert line.subject == "Promise reassigned: callback, from Alex Advisor to Jo Okafor"
    assert (line.summary, line.advisor_id) == ("Alex is off sick", sam.id)
    assert entry.actor == sam.username and entry.detail["to_owner"] == str(jo.id)
    with Session(central.admin) as session:
        assert audit.verify(session) == []
    pulled = central.pull(central.login(alex))["changes"]
    assert [c["data"]["owner_id"] for c in pulled if c["entity"] == "promise"][-1] == str(jo.id)
