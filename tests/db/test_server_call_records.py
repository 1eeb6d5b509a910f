"""The call in hand on the central server: contact.add's reason and duration, case.open's customer
words and next step, case.update (progress) applied and refused in the console's own words, and all
of it pulled back onto another workstation."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from console.case_rules import CaseRuleError, check_case_kind, progress_update
from console.contact_rules import ContactRuleError, check_duration, check_reason_code, check_summary
from console.ids import new_id
from console.services.cases import CaseService
from console.services.contacts import ContactService, WrapUp
from domain.records import CaseSummary
from domain.vocabulary import CaseKind, CaseStatus, Role, Severity
from storage.models import Case, ContactEvent
from tests.helpers.central import NOW, Central
from tests.helpers.workstations import Workstation, shared_customer, workstation

pytestmark = pytest.mark.postgres


def client_words(check: Callable[[], object]) -> str:
    try:
        check()
    except (ContactRuleError, CaseRuleError) as error:
        return str(error)
    raise AssertionError("the console accepted it")


def refused(central: Central, engine: Engine, kind: str, payload: dict[str, Any], words: str) -> None:
    result = central.apply(engine, kind, payload)
    assert result["state"] == "rejected", result
    assert result["reason"] == words


# An open case as the console holds it: the rule's words do not depend on the rest.
SOME_CASE = CaseSummary(
    id=uuid.uuid4(),
    reference="CS-0000000",
    kind=CaseKind.BROADBAND_FAULT,
    title="Broadband keeps dropping",
    status=CaseStatus.OPEN,
    severity=Severity.MEDIUM,
    owner_name=None,
    opened_at=NOW,
    target_at=None,
    resolved_at=None,
    next_step=None,
    formal_complaint=False,
    owner_id=None,
    updated_at=NOW,
)


def contact(customer: uuid.UUID, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(new_id()),
        "customer_id": str(customer),
        "channel": "phone",
        "direction": "inbound",
        "occurred_at": NOW.isoformat(),
        "recorded_at": NOW.isoformat(),
        "subject": "Reporting a fault (4 min 00 s)",
        "summary": "No dial tone since the storm",
        "reason": "fault",
        "duration_seconds": 240,
    } | extra


def test_contact_add_keeps_reason_and_duration_and_refuses_as_the_console(central: Central) -> None:
    advisor = central.login(central.add_user(Role.ADVISOR, 0))
    customer = central.customer()
    made = central.apply(advisor, "contact.add", contact(customer))
    assert made["state"] == "accepted", made
    assert (made["record"]["reason_code"], made["record"]["duration_seconds"]) == ("fault", 240)
    plain = central.apply(advisor, "contact.add", contact(customer, reason=None, duration_seconds=None))
    assert plain["state"] == "accepted" and plain["record"]["reason_code"] is None
    for payload, check in (
        (contact(customer, summary=" "), lambda: check_summary(" ")),
        (contact(customer, summary="x" * 100_000), lambda: check_summary("x" * 100_000)),
        (contact(customer, reason="Bad Code"), lambda: check_reason_code("Bad Code")),
        (contact(customer, reason="x" * 41), lambda: check_reason_code("x" * 41)),
        (contact(customer, duration_seconds=-1), lambda: check_duration(-1)),
        (contact(customer, duration_seconds=86_401), lambda: check_duration(86_401)),
    ):
        refused(central, advisor, "contact.add", payload, client_words(check))
    refused(central, advisor, "contact.add", contact(customer, reason=7), "reason must be text")
    refused(
        central,
        advisor,
        "contact.add",
        contact(customer, duration_seconds="4m"),
        "duration_seconds must be a whole number",
    )


def test_case_open_keeps_the_customers_words_and_the_next_step(central: Central) -> None:
    advisor = central.login(central.add_user(Role.ADVISOR, 0))
    customer = central.customer()
    opening = {
        "id": str(new_id()),
        "customer_id": str(customer),
        "kind": "billing",
        "title": "Charged twice",
        "severity": "medium",
        "event_id": str(new_id()),
        "reported_text": "  Two lines for November on my bill ",
        "next_step": "Billing to check the payment run",
    }
    refused(
        central,
        advisor,
        "case.open",
        opening | {"reported_text": "x" * 2_001},
        "what the customer reported is too long (2,001 characters, at most 2,000)",
    )
    # One list of kinds: the server names the same kinds, in the same order, as domain CaseKind.
    refused(
        central,
        advisor,
        "case.open",
        opening | {"kind": "gremlins"},
        client_words(lambda: check_case_kind("gremlins")),
    )
    made = central.apply(advisor, "case.open", opening)
    assert made["state"] == "accepted", made
    record = made["record"]
    assert record["reported_text"] == "Two lines for November on my bill"
    assert record["next_step"] == "Billing to check the payment run"
    with central.admin.connect() as connection:
        summary = connection.execute(
            text("SELECT summary FROM contact_events WHERE id = :id"), {"id": opening["event_id"]}
        ).scalar_one()
    assert summary == "Two lines for November on my bill"


def test_case_update_applies_progress_and_refuses_as_the_console(central: Central) -> None:
    advisor = central.login(central.add_user(Role.ADVISOR, 0))
    customer = central.customer()
    case = central.case(customer, target_at=NOW - timedelta(days=1))
    update = {
        "id": str(case["id"]),
        "version": 1,
        "event_id": str(new_id()),
        "next_step": "Engineer visit Tuesday",
        "done": "Chased the engineers",
        "customer_told": True,
    }
    open_case = replace(SOME_CASE, reference=case["reference"])
    for change, check in (
        ({"next_step": " "}, lambda: progress_update(open_case, " ", "Chased", True)),
        ({"done": ""}, lambda: progress_update(open_case, "Visit", "", True)),
        ({"done": "x" * 100_000}, lambda: progress_update(open_case, "Visit", "x" * 100_000, True)),
    ):
        refused(central, advisor, "case.update", update | change, client_words(check))
    refused(
        central, advisor, "case.update", update | {"customer_told": None}, "say whether the customer was told"
    )
    made = central.apply(advisor, "case.update", update)
    assert made["state"] == "accepted", made
    assert (made["record"]["next_step"], made["record"]["version"]) == ("Engineer visit Tuesday", 2)
    assert made["record"]["updated_at"] > made["record"]["target_at"]
    with central.admin.connect() as connection:
        line = connection.execute(
            text("SELECT subject, summary FROM contact_events WHERE id = :id"), {"id": update["event_id"]}
        ).one()
        audited = connection.execute(
            text("SELECT count(*) FROM audit_log WHERE action = 'case.update' AND entity_id = :id"),
            {"id": str(case["id"])},
        ).scalar_one()
    assert tuple(line) == (
        f"{case['reference']} progress (customer told): next, Engineer visit Tuesday",
        "Chased the engineers\nThe customer was told.",
    )
    assert audited == 1
    stale = central.apply(advisor, "case.update", update | {"event_id": str(new_id())})
    assert stale["state"] == "conflict" and "changed meanwhile" in stale["reason"]
    closed = central.case(customer, status="closed")
    refused(
        central,
        advisor,
        "case.update",
        update | {"id": str(closed["id"]), "event_id": str(new_id())},
        f"{closed['reference']} is closed: reopen it before recording progress",
    )


@pytest.fixture
def pair(central: Central, tmp_path: Path) -> Iterator[tuple[Workstation, Workstation, uuid.UUID]]:
    alex_user = central.add_user(Role.ADVISOR, 5_000, hint="adv", display_name="Alex Advisor")
    bea_user = central.add_user(Role.ADVISOR, 5_000, hint="bea", display_name="Bea Advisor")
    people = [alex_user, bea_user]
    alex = workstation(central, tmp_path, alex_user, people)
    bea = workstation(central, tmp_path, bea_user, people)
    customer = shared_customer(central, [alex.store, bea.store])
    try:
        yield alex, bea, customer
    finally:
        alex.store.close()
        bea.store.close()


def test_a_wrap_up_a_new_case_and_progress_reach_another_workstation(
    pair: tuple[Workstation, Workstation, uuid.UUID],
) -> None:
    alex, bea, customer = pair
    cases = CaseService(alex.store, alex.clock, alex.user)
    opened = cases.open(
        customer,
        "home_move",
        "Moving on the 20th",
        target_at=NOW + timedelta(days=1),
        reported_text="We move on the 20th and need broadband there",
        next_step="Provisioning to book the move",
    )
    event_id = ContactService(alex.store, alex.clock, alex.user).wrap_up(
        WrapUp(
            customer, NOW - timedelta(minutes=7), NOW, "move", "Booked the move", opened.id, "+447700900123"
        )
    )
    alex.clock.advance(timedelta(days=2))
    late = cases.needing_update(customer)
    assert [c.id for c in late] == [opened.id]
    cases.update_progress(late[0], "Engineer on the 21st", "Provisioning confirmed", False)
    summary = asyncio.run(alex.engine().sync_once())
    assert (summary.accepted, summary.rejected) == (3, 0), summary
    asyncio.run(bea.engine().sync_once())
    with bea.store.read() as session:
        line = session.get_one(ContactEvent, event_id)
        case = session.get_one(Case, opened.id)
    assert (line.reason_code, line.duration_seconds) == ("move", 420)
    assert case.reported_text == "We move on the 20th and need broadband there"
    assert case.next_step == "Engineer on the 21st" and case.status is CaseStatus.OPEN
    assert case.reference.startswith("CS-") and not case.reference.startswith("CS-P")
    # The progress is news on Bea's workstation too.
    assert CaseService(bea.store, alex.clock, bea.user).needing_update(customer) == []
