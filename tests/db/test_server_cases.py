"""Cases, handoffs and offer impressions through api.apply_mutation: each kind applied, each refusal
with its reason, conflicts on a stale version, the rows in the change log and the audit chain."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from console.case_rules import ROOT_CAUSE_CATEGORIES
from console.handoff_rules import HandoffRuleError, acknowledge_by, check_mover
from console.ids import new_id
from console.working_time import WorkingHours
from domain import mutation_kinds
from domain.records import HandoffRecord
from domain.vocabulary import HandoffKind, HandoffStatus, Role, Team
from storage import audit
from storage.server import apply_server_sql, write_team_times
from tests.helpers.central import NOW, Central

pytestmark = pytest.mark.postgres

DUE = (NOW + timedelta(days=1)).isoformat()


def server_row(central: Central, table: str, row_id: object) -> dict[str, Any]:
    with central.admin.connect() as connection:
        row = connection.execute(text(f"SELECT * FROM {table} WHERE id = :id"), {"id": row_id}).one()
    return dict(row._mapping)


def refused(central: Central, engine: Engine, kind: str, payload: dict[str, Any], words: str) -> None:
    result = central.apply(engine, kind, payload)
    assert result["state"] == "rejected", result
    assert words in result["reason"], result["reason"]


def step(central: Central, engine: Engine, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    result = central.apply(engine, kind, payload)
    assert result["state"] == "accepted", result
    record: dict[str, Any] = result["record"]
    return record


def test_the_server_knows_every_kind_the_console_queues(central: Central) -> None:
    advisor = central.login(central.add_user(Role.ADVISOR, 0))
    for kind in mutation_kinds.KINDS:
        result = central.apply(advisor, kind, {})
        assert result["state"] == "rejected" and "does not know" not in result["reason"], (kind, result)


def test_the_server_knows_the_same_root_cause_categories(central: Central) -> None:
    with central.admin.connect() as connection:
        listed = connection.execute(text("SELECT api.root_cause_categories()")).scalar_one()
    assert tuple(listed) == ROOT_CAUSE_CATEGORIES


def test_a_case_closes_only_with_root_cause_and_confirmation_or_two_failed_attempts(central: Central) -> None:
    advisor = central.login(central.add_user(Role.ADVISOR, 0))
    customer = central.customer()
    case = central.case(customer)
    ref, cid = case["reference"], str(case["id"])
    cause = {"root_cause_category": "router failure", "root_cause_text": "the power supply failed"}
    resolve = {"id": cid, "version": 1} | cause
    refused(
        central,
        advisor,
        "case.resolve",
        resolve | {"root_cause_category": ""},
        "choose the root cause category",
    )
    refused(
        central, advisor, "case.resolve", resolve | {"root_cause_category": "gremlins"}, "not a root cause"
    )
    refused(central, advisor, "case.resolve", resolve | {"root_cause_text": " "}, "the root cause is empty")
    refused(central, advisor, "case.resolve", resolve, "ask the customer whether it is fixed")
    refused(
        central, advisor, "case.resolve", resolve | {"confirmation": "not_reachable"}, "say when you will try"
    )
    refused(
        central, advisor, "case.confirm", {"id": cid, "confirmation": "confirmed"}, "only a resolved case"
    )
    refused(central, advisor, "case.reopen", {"id": cid, "reason": "still broken"}, f"{ref} is still open")

    resolved = step(
        central, advisor, "case.resolve", resolve | {"confirmation": "not_reachable", "check_due_at": DUE}
    )
    assert (resolved["status"], resolved["confirmation"], resolved["confirmation_attempts"]) == (
        "resolved",
        "not_reachable",
        1,
    )
    refused(central, advisor, "case.close_in_writing", {"id": cid, "letter": "Dear Ms Shah"}, "(1 so far)")
    stale = central.apply(advisor, "case.confirm", {"id": cid, "version": 1, "confirmation": "confirmed"})
    assert stale["state"] == "conflict" and f"{ref} was changed meanwhile (now resolved)" in stale["reason"]
    assert stale["record"]["version"] == 2

    # The check promise made on resolving, then a second failed attempt with its follow-up.
    first = step(
        central,
        advisor,
        "promise.create",
        {
            "id": str(new_id()),
            "customer_id": str(customer),
            "case_id": cid,
            "kind": "progress_update",
            "due_at": DUE,
        },
    )
    follow_up = str(new_id())
    step(
        central,
        advisor,
        "promise.create",
        {
            "id": follow_up,
            "customer_id": str(customer),
            "case_id": cid,
            "kind": "progress_update",
            "due_at": DUE,
        },
    )
    again = step(
        central,
        advisor,
        "case.confirm",
        {
            "id": cid,
            "version": 2,
            "confirmation": "not_reachable",
            "check_due_at": DUE,
            "follow_up_id": follow_up,
        },
    )
    assert again["confirmation_attempts"] == 2
    ended = server_row(central, "promises", first["id"])
    assert (ended["status"], str(ended["follow_up_id"])) == ("not_reachable", follow_up)
    refused(central, advisor, "case.close_in_writing", {"id": cid}, "the letter to the customer is empty")
    closed = step(
        central, advisor, "case.close_in_writing", {"id": cid, "version": 3, "letter": "Dear Ms Shah"}
    )
    assert (closed["status"], closed["confirmation"]) == ("closed", "told_in_writing")
    assert server_row(central, "promises", follow_up)["status"] == "done"

    reopened = step(central, advisor, "case.reopen", {"id": cid, "version": 4, "reason": "drops again"})
    assert (reopened["status"], reopened["reopened_count"], reopened["resolved_at"]) == (
        "in_progress",
        1,
        None,
    )
    subjects = timeline(central, customer)
    assert f"{ref} reopened: drops again" in subjects
    assert f"{ref} closed: customer not reachable, told in writing" in subjects


def timeline(central: Central, customer: uuid.UUID) -> list[str]:
    with central.admin.connect() as connection:
        rows = connection.execute(
            text(
                # Acts done at one moment are told apart by the order the server logged them.
                "SELECT e.subject FROM contact_events e JOIN change_log c ON c.entity_id = e.id"
                " WHERE e.customer_id = :c AND c.entity = 'contact_event' ORDER BY e.occurred_at, c.seq"
            ),
            {"c": customer},
        )
        return [row[0] for row in rows]


def test_a_confirmed_fix_closes_the_case_and_feedback_is_taken_once(central: Central) -> None:
    advisor = central.login(central.add_user(Role.ADVISOR, 0))
    customer = central.customer()
    case = central.case(customer)
    cid = str(case["id"])
    feedback = {
        "id": str(new_id()),
        "case_id": cid,
        "fix_score": 4,
        "fault_score": 2,
        "cause_text": "the storm",
    }
    refused(central, advisor, "case.feedback", feedback, "feedback is asked after closure")
    event_id = str(new_id())
    closed = step(
        central,
        advisor,
        "case.resolve",
        {
            "id": cid,
            "version": 1,
            "root_cause_category": "mast outage",
            "root_cause_text": "storm damage",
            "confirmation": "confirmed",
            "event_id": event_id,
        },
    )
    assert (closed["status"], closed["confirmation"]) == ("closed", "confirmed")
    # The timeline line has the id the client gave it.
    assert server_row(central, "contact_events", event_id)["subject"].endswith(
        "resolved and confirmed by the customer"
    )
    refused(central, advisor, "case.feedback", feedback | {"fix_score": 6}, "must be 1 to 5")
    refused(central, advisor, "case.feedback", feedback | {"fault_score": 0}, "the fault must be 1 to 5")
    record = step(central, advisor, "case.feedback", feedback)
    assert (record["fix_score"], record["fault_score"], record["customer_cause_text"]) == (4, 2, "the storm")
    refused(central, advisor, "case.feedback", feedback | {"id": str(new_id())}, "is already recorded")


def test_the_formal_complaint_clock_deadlock_and_ombudsman_letter(central: Central) -> None:
    advisor = central.login(central.add_user(Role.ADVISOR, 0))
    customer = central.customer()
    case = central.case(customer)
    cid = str(case["id"])
    refused(central, advisor, "case.deadlock", {"id": cid, "note": "no"}, "is not a formal complaint")
    refused(central, advisor, "case.adr_letter", {"id": cid}, "ombudsman letter is due at deadlock")
    complaint = {"id": cid, "version": 1}
    future = (NOW + timedelta(hours=1)).isoformat()
    refused(
        central, advisor, "case.formal_complaint", complaint | {"complaint_made_at": future}, "in the future"
    )
    old = (NOW - timedelta(weeks=9)).isoformat()
    refused(
        central, advisor, "case.formal_complaint", complaint | {"complaint_made_at": old}, "more than 8 weeks"
    )
    made_at = (NOW - timedelta(days=2)).isoformat()
    marked = step(central, advisor, "case.formal_complaint", complaint | {"complaint_made_at": made_at})
    assert marked["formal_complaint"] is True
    assert marked["complaint_deadline_at"].startswith(
        (NOW - timedelta(days=2) + timedelta(weeks=8)).date().isoformat()
    )
    refused(
        central,
        advisor,
        "case.formal_complaint",
        {"id": cid, "complaint_made_at": made_at},
        "already a formal",
    )
    clock = step(
        central,
        advisor,
        "promise.create",
        {
            "id": str(new_id()),
            "customer_id": str(customer),
            "case_id": cid,
            "kind": "complaint_deadline",
            "due_at": marked["complaint_deadline_at"],
        },
    )
    refused(central, advisor, "case.adr_letter", {"id": cid}, "ombudsman letter is due")
    refused(
        central, advisor, "case.deadlock", {"id": cid, "note": ""}, "why no agreement can be reached is empty"
    )
    step(
        central, advisor, "case.deadlock", {"id": cid, "version": 2, "note": "we cannot agree on the refund"}
    )
    refused(central, advisor, "case.deadlock", {"id": cid, "note": "again"}, "already declared")
    sent = step(central, advisor, "case.adr_letter", {"id": cid, "version": 3})
    assert sent["adr_letter_sent_at"] is not None
    assert server_row(central, "promises", clock["id"])["status"] == "done"


def test_case_ownership_changes_with_a_note_and_the_owner_seen(central: Central) -> None:
    alex = central.add_user(Role.ADVISOR, 0, display_name="Alex Advisor")
    bea = central.add_user(Role.ADVISOR, 0, display_name="Bea Advisor")
    advisor = central.login(alex)
    customer = central.customer()
    case = central.case(customer, owner_id=bea.id)
    cid = str(case["id"])
    take = {"id": cid, "from_owner_id": str(bea.id), "note": "Bea is on leave", "change_id": str(new_id())}
    refused(central, advisor, "case.take", take | {"note": "  "}, "a handover needs a note")
    stale = central.apply(advisor, "case.take", take | {"from_owner_id": None})
    assert stale["state"] == "conflict" and "changed owner meanwhile" in stale["reason"]
    taken = step(central, advisor, "case.take", take)
    assert taken["owner_id"] == str(alex.id)
    change = server_row(central, "case_owner_changes", take["change_id"])
    assert (change["from_user_id"], change["to_user_id"], change["note"]) == (
        bea.id,
        alex.id,
        "Bea is on leave",
    )
    hand = {"id": cid, "from_owner_id": str(alex.id), "note": "back to you", "change_id": str(new_id())}
    refused(central, advisor, "case.hand_over", hand | {"to_user_id": str(uuid.uuid4())}, "choose who takes")
    refused(
        central, advisor, "case.hand_over", hand | {"to_user_id": str(alex.id)}, "Alex Advisor already owns"
    )
    back = step(central, advisor, "case.hand_over", hand | {"to_user_id": str(bea.id)})
    assert back["owner_id"] == str(bea.id)
    assert f"{case['reference']} handed over by Alex Advisor to Bea Advisor" in timeline(central, customer)


def test_service_dates_are_checked_and_audited(central: Central) -> None:
    alex = central.add_user(Role.ADVISOR, 0)
    advisor = central.login(alex)
    customer = central.customer()
    case = central.case(customer)
    dates = {
        "id": str(case["id"]),
        "version": 1,
        "reported_at": (NOW - timedelta(days=3)).isoformat(),
        "restored_at": (NOW - timedelta(days=1)).isoformat(),
        "appointment_missed": False,
        "customer_delay_days": 0,
        "summary": "reported at: …; restored at: …",
    }
    refused(
        central, advisor, "case.service_dates", dates | {"reported_at": None}, "give when the loss of service"
    )
    refused(
        central,
        advisor,
        "case.service_dates",
        dates | {"restored_at": (NOW - timedelta(days=4)).isoformat()},
        "cannot be restored before",
    )
    refused(
        central,
        advisor,
        "case.service_dates",
        dates | {"customer_delay_days": 3},
        "say how the customer caused",
    )
    refused(
        central, advisor, "case.service_dates", dates | {"started_on": "2026-11-01"}, "promised start date"
    )
    refused(
        central,
        advisor,
        "case.service_dates",
        dates | {"appointment_missed": True},
        "give the appointment time",
    )
    record = step(central, advisor, "case.service_dates", dates)
    assert record["restored_at"] is not None and record["version"] == 2
    stale = central.apply(advisor, "case.service_dates", dates)
    assert stale["state"] == "conflict"
    with central.admin.connect() as connection:
        actions = (
            connection.execute(
                text("SELECT action FROM audit_log WHERE entity_id = :id ORDER BY seq"), {"id": case["id"]}
            )
            .scalars()
            .all()
        )
        with Session(bind=connection) as session:
            assert audit.verify(session) == []
    assert actions == ["case.service_dates"]


def test_a_handoff_is_acknowledged_only_by_the_receiving_team_or_a_supervisor(central: Central) -> None:
    sales = central.login(central.add_user(Role.ADVISOR, 0, team=Team.SALES))
    billing = central.login(central.add_user(Role.ADVISOR, 0, team=Team.BILLING))
    pete = central.add_user(Role.ADVISOR, 0, team=Team.PROVISIONING)
    provisioning = central.login(pete)
    supervisor = central.login(central.add_user(Role.SUPERVISOR, 0))
    customer = central.customer()
    handoff = {
        "id": str(new_id()),
        "customer_id": str(customer),
        "kind": "order",
        "to_team": "provisioning",
        "summary": "Office move order: 14 Wellington St",
        "acknowledge_by": (NOW + timedelta(hours=4)).isoformat(),
    }
    refused(central, sales, "handoff.create", handoff | {"to_team": "sales"}, "goes to another team")
    refused(central, sales, "handoff.create", handoff | {"summary": " "}, "say what the other team must do")
    refused(
        central,
        sales,
        "handoff.create",
        handoff | {"done_by": NOW.isoformat()},
        "done-by date must be in the future",
    )
    refused(
        central, sales, "handoff.create", handoff | {"acknowledge_by": None}, "acknowledge_by must be after"
    )
    made = step(central, sales, "handoff.create", handoff)
    assert (made["from_team"], made["status"]) == ("sales", "awaiting_ack")
    refused(
        central,
        billing,
        "handoff.acknowledge",
        {"id": handoff["id"]},
        "only the provisioning team or a supervisor",
    )
    refused(central, sales, "handoff.acknowledge", {"id": handoff["id"]}, "only the provisioning team")
    acknowledged = step(central, provisioning, "handoff.acknowledge", {"id": handoff["id"], "version": 1})
    assert (acknowledged["status"], acknowledged["acknowledged_by"]) == ("acknowledged", str(pete.id))
    again = central.apply(provisioning, "handoff.acknowledge", {"id": handoff["id"], "version": 1})
    assert again["state"] == "conflict" and "moved on meanwhile (now acknowledged)" in again["reason"]
    done = step(central, supervisor, "handoff.complete", {"id": handoff["id"], "version": 2})
    assert done["status"] == "done"
    assert timeline(central, customer)[-3:] == [
        "Handed to provisioning",
        "Acknowledged by provisioning",
        "Completed by provisioning",
    ]


def test_the_server_refuses_an_offer_shown_while_the_suppressor_pauses_offers(central: Central) -> None:
    advisor = central.login(central.add_user(Role.ADVISOR, 0))
    offer = central.offer()

    def shown(customer: uuid.UUID, **extra: Any) -> dict[str, Any]:
        return {"id": str(new_id()), "customer_id": str(customer), "offer_id": str(offer)} | extra

    troubled = central.customer()
    case = central.case(troubled)
    refused(
        central,
        advisor,
        "offer.impression",
        shown(troubled),
        f"offers paused: open problem ({case['reference']})",
    )
    awaiting = central.customer()
    central.case(
        awaiting, status="resolved", confirmation="not_reachable", resolved_at=NOW - timedelta(days=1)
    )
    refused(central, advisor, "offer.impression", shown(awaiting), "awaiting the customer's confirmation")
    refused(
        central, advisor, "offer.impression", shown(central.customer(vulnerable=True)), "marked vulnerable"
    )
    refused(
        central, advisor, "offer.impression", shown(central.customer(marketing_consent=False)), "no marketing"
    )
    happy = central.customer()
    central.case(happy, status="closed", confirmation="confirmed", closed_at=NOW - timedelta(days=30))
    refused(
        central,
        advisor,
        "offer.impression",
        shown(happy, offer_id=str(central.offer(active=False))),
        "not active",
    )
    payload = shown(happy)
    record = step(central, advisor, "offer.impression", payload)
    assert record["customer_id"] == str(happy)
    # The same impression sent again under another mutation id is the same fact.
    assert step(central, advisor, "offer.impression", payload)["id"] == payload["id"]
    # A case opened after the offer was shown (the impression made offline) does not refuse it.
    later = central.customer()
    central.case(later, opened_at=NOW + timedelta(minutes=5))
    step(central, advisor, "offer.impression", shown(later))


def test_case_handoff_and_impression_changes_are_in_the_change_log(central: Central) -> None:
    alex = central.add_user(Role.ADVISOR, 0)
    advisor = central.login(alex)
    other = central.login(central.add_user(Role.ADVISOR, 0))
    head = central.pull(other)["head"]
    customer = central.customer()
    case = central.case(
        customer, status="closed", confirmation="confirmed", closed_at=NOW - timedelta(days=1)
    )
    cid = str(case["id"])
    step(central, advisor, "case.reopen", {"id": cid, "reason": "again"})
    step(central, advisor, "case.take", {"id": cid, "note": "mine now", "change_id": str(new_id())})
    step(
        central,
        advisor,
        "handoff.create",
        {
            "id": str(new_id()),
            "customer_id": str(customer),
            "case_id": cid,
            "kind": "task",
            "to_team": "technical",
            "summary": "check the line",
            "acknowledge_by": (NOW + timedelta(hours=2)).isoformat(),
        },
    )
    step(
        central,
        advisor,
        "offer.impression",
        {"id": str(new_id()), "customer_id": str(central.customer()), "offer_id": str(central.offer())},
    )
    changes = central.pull(other, after=head)["changes"]
    mine = [c["entity"] for c in changes if c["mutation_id"] is not None]
    for entity in ("case", "case_owner_change", "handoff", "offer_impression", "contact_event"):
        assert entity in mine, mine


def test_a_case_opened_through_the_server_gets_the_next_reference(central: Central) -> None:
    alex = central.add_user(Role.ADVISOR, 0)
    advisor = central.login(alex)
    customer = central.customer()
    highest = central.case(customer, reference="CS-7654321")
    opening = {
        "id": str(new_id()),
        "customer_id": str(customer),
        "kind": "broadband_fault",
        "title": "No dial tone since the storm",
        "severity": "high",
    }
    refused(central, advisor, "case.open", opening | {"title": " "}, "the title is empty")
    refused(central, advisor, "case.open", opening | {"title": "x" * 201}, "at most 200")
    refused(central, advisor, "case.open", opening | {"kind": "gremlins"}, "kind must be one of")
    refused(
        central, advisor, "case.open", opening | {"target_at": NOW.isoformat()}, "target time is in the past"
    )
    refused(central, advisor, "case.open", opening | {"customer_id": str(uuid.uuid4())}, "no such customer")
    # server init ran before that case existed: the next init moves numbering past it, once.
    with central.admin.begin() as connection:
        apply_server_sql(connection)
    made = step(central, advisor, "case.open", opening)
    assert (made["status"], made["owner_id"], made["title"]) == ("open", str(alex.id), opening["title"])
    assert int(made["reference"][3:]) > int(highest["reference"][3:])
    refused(central, advisor, "case.open", opening, "already exists")
    # An open case pauses offers on the server at once.
    refused(
        central,
        advisor,
        "offer.impression",
        {"id": str(new_id()), "customer_id": str(customer), "offer_id": str(central.offer())},
        made["reference"],
    )


def test_the_server_checks_the_teams_acknowledge_hours_and_keeps_what_was_done(central: Central) -> None:
    sales = central.login(central.add_user(Role.ADVISOR, 0, team=Team.SALES))
    billing = central.login(central.add_user(Role.ADVISOR, 0, team=Team.BILLING))
    technical = central.login(central.add_user(Role.ADVISOR, 0, team=Team.TECHNICAL))
    customer = central.customer()
    # The console's acknowledge-by for Technical (2 working hours) is accepted; one sooner is not.
    console_time = acknowledge_by(NOW, Team.TECHNICAL, WorkingHours())
    handoff = {
        "id": str(new_id()),
        "customer_id": str(customer),
        "kind": "task",
        "to_team": "technical",
        "summary": "Line test",
        "acknowledge_by": (NOW + timedelta(hours=1)).isoformat(),
    }
    refused(central, sales, "handoff.create", handoff, "acknowledge_by is sooner than the technical team's 2")
    step(central, sales, "handoff.create", handoff | {"acknowledge_by": console_time.isoformat()})
    # Another team's advisor is refused with the console's own words.
    with pytest.raises(HandoffRuleError) as console_words:
        check_mover(Team.BILLING, Role.ADVISOR, dataclasses.replace(_record(), to_team=Team.TECHNICAL))
    refused(central, billing, "handoff.acknowledge", {"id": handoff["id"]}, str(console_words.value))
    step(central, technical, "handoff.acknowledge", {"id": handoff["id"], "version": 1})
    refused(central, billing, "handoff.complete", {"id": handoff["id"]}, str(console_words.value))
    done = step(
        central, technical, "handoff.complete", {"id": handoff["id"], "version": 2, "done_note": " Fixed "}
    )
    assert done["status"] == "done"
    with central.admin.connect() as connection:
        body = connection.execute(
            text(
                "SELECT summary FROM contact_events"
                " WHERE customer_id = :c AND subject = 'Completed by technical'"
            ),
            {"c": customer},
        ).scalar_one()
    assert body == "Line test\nDone: Fixed"

    # `server init` writes the teams file's hours: a slower Technical team moves the bound.
    with central.admin.begin() as connection:
        write_team_times(connection, [("technical", "Technical", 6)])
    later = handoff | {"id": str(new_id()), "acknowledge_by": console_time.isoformat()}
    refused(central, sales, "handoff.create", later, "sooner than the technical team's 6 working hours")


def _record() -> HandoffRecord:
    return HandoffRecord(
        id=new_id(),
        customer_id=new_id(),
        case_id=None,
        case_reference=None,
        kind=HandoffKind.TASK,
        summary="x",
        from_team=Team.SALES,
        to_team=Team.TECHNICAL,
        created_by_name="Sally",
        created_at=NOW,
        acknowledge_by=NOW,
        acknowledged_by_name=None,
        acknowledged_at=None,
        done_by=None,
        done_at=None,
        status=HandoffStatus.AWAITING_ACK,
        version=1,
    )
