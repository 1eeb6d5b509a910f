"""Row batches (plain dicts keyed by column name, grouped by table) and the time and id helpers
every generator uses: times are whole seconds since the epoch until a row is written."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from typing import Any

from console.case_rules import COMPLAINT_CLOCK
from console.ids import id_at

Row = dict[str, Any]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MINUTE = 60
HOUR = 3600
DAY = 86_400
YEAR = 365 * DAY


def at(seconds: int) -> datetime:
    """Seconds since the epoch as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)


def in_hours(seconds: int, now: int) -> int:
    """The same moment moved into the contact centre's day (07:00-20:00 UTC) of the same date,
    unless that would put it after `now`."""
    second_of_day = seconds % DAY
    if 7 * HOUR <= second_of_day < 20 * HOUR:
        return seconds
    moved = seconds - second_of_day + 7 * HOUR + second_of_day % (13 * HOUR)
    return moved if moved <= now else seconds


def day_of(seconds: int) -> date:
    return (EPOCH + timedelta(seconds=seconds)).date()


def new_id(seconds: int, rng: random.Random) -> uuid.UUID:
    """A UUIDv7 stamped with the row's own time, so ids sort the way the rows happened."""
    return id_at(seconds * 1000, rng)


@dataclass
class Rows:
    """One batch of rows; field names are table names, in no particular order."""

    users: list[Row] = field(default_factory=list)
    offers: list[Row] = field(default_factory=list)
    customers: list[Row] = field(default_factory=list)
    customer_phones: list[Row] = field(default_factory=list)
    account_owner_changes: list[Row] = field(default_factory=list)
    cases: list[Row] = field(default_factory=list)
    case_owner_changes: list[Row] = field(default_factory=list)
    contact_events: list[Row] = field(default_factory=list)
    promises: list[Row] = field(default_factory=list)
    handoffs: list[Row] = field(default_factory=list)
    goodwill: list[Row] = field(default_factory=list)
    offer_impressions: list[Row] = field(default_factory=list)
    feedback: list[Row] = field(default_factory=list)
    customer_detail_changes: list[Row] = field(default_factory=list)

    def tables(self) -> dict[str, list[Row]]:
        """Table name to its rows, leaving out tables with none."""
        return {f.name: rows for f in fields(self) if (rows := getattr(self, f.name))}

    def count(self) -> int:
        return sum(len(rows) for rows in self.tables().values())


def event_row(
    rng: random.Random,
    customer_id: uuid.UUID,
    case_id: uuid.UUID | None,
    channel: str,
    direction: str,
    advisor_id: uuid.UUID | None,
    occurred: int,
    recorded: int,
    subject: str | None,
    summary: str,
    reason_code: str | None = None,
    duration_seconds: int | None = None,
) -> Row:
    """A contact event; positional, because a million customers make ten million of these. A call
    an advisor wrapped up has its reason (resources/contact_reasons.toml) and duration."""
    when = at(occurred)
    return {
        "id": id_at(occurred * 1000, rng),
        "customer_id": customer_id,
        "case_id": case_id,
        "channel": channel,
        "direction": direction,
        "advisor_id": advisor_id,
        "occurred_at": when,
        "recorded_at": when if recorded == occurred else at(recorded),
        "subject": subject,
        "summary": summary,
        "reason_code": reason_code,
        "duration_seconds": duration_seconds,
    }


def case_row(
    rng: random.Random,
    *,
    reference: str,
    customer_id: uuid.UUID,
    kind: str,
    title: str,
    status: str,
    severity: str,
    owner_id: uuid.UUID | None,
    opened: int,
    updated: int,
    target: int | None = None,
    resolved: int | None = None,
    closed: int | None = None,
    next_step: str | None = None,
    root_cause_category: str | None = None,
    root_cause_text: str | None = None,
    confirmation: str = "pending",
    confirmation_attempts: int = 0,
    customer_caused_delay: str | None = None,
    reported: int | None = None,
    restored: int | None = None,
    promised_start_on: date | None = None,
    started_on: date | None = None,
    appointment: int | None = None,
    appointment_missed: bool = False,
    cancellation_notice: int | None = None,
    customer_delay_days: int = 0,
    formal_complaint: bool = False,
    complaint_deadline: int | None = None,
    reopened_count: int = 0,
    version: int = 1,
) -> Row:
    return {
        "id": new_id(opened, rng),
        "reference": reference,
        "customer_id": customer_id,
        "kind": kind,
        "title": title,
        "status": status,
        "severity": severity,
        "owner_id": owner_id,
        "opened_at": at(opened),
        "target_at": None if target is None else at(target),
        "resolved_at": None if resolved is None else at(resolved),
        "closed_at": None if closed is None else at(closed),
        "updated_at": at(updated),
        "next_step": next_step,
        "reported_text": None,
        "root_cause_category": root_cause_category,
        "root_cause_text": root_cause_text,
        "confirmation": confirmation,
        "confirmation_attempts": confirmation_attempts,
        "customer_caused_delay": customer_caused_delay,
        "reported_at": None if reported is None else at(reported),
        "restored_at": None if restored is None else at(restored),
        "promised_start_on": promised_start_on,
        "started_on": started_on,
        "appointment_at": None if appointment is None else at(appointment),
        "appointment_missed": appointment_missed,
        "cancellation_notice_at": None if cancellation_notice is None else at(cancellation_notice),
        "customer_delay_days": customer_delay_days,
        "formal_complaint": formal_complaint,
        "complaint_deadline_at": None if complaint_deadline is None else at(complaint_deadline),
        "complaint_made_at": None if complaint_deadline is None else at(complaint_deadline) - COMPLAINT_CLOCK,
        "deadlock_at": None,
        "adr_letter_sent_at": None,
        "reopened_count": reopened_count,
        "version": version,
    }


def promise_row(
    rng: random.Random,
    *,
    customer_id: uuid.UUID,
    case_id: uuid.UUID | None,
    kind: str,
    owner_id: uuid.UUID,
    created: int,
    due: int,
    status: str,
    window_end: int | None = None,
    phone: str | None = None,
    note: str | None = None,
    outcome: str | None = None,
    closed: int | None = None,
    customer_told: bool | None = None,
    follow_up_id: uuid.UUID | None = None,
    escalated: int | None = None,
    version: int = 1,
) -> Row:
    return {
        "id": new_id(created, rng),
        "customer_id": customer_id,
        "case_id": case_id,
        "kind": kind,
        "owner_id": owner_id,
        "created_at": at(created),
        "due_at": at(due),
        "window_end_at": None if window_end is None else at(window_end),
        "phone_e164": phone,
        "note": note,
        "status": status,
        "outcome": outcome,
        "closed_at": None if closed is None else at(closed),
        "customer_told": customer_told,
        "follow_up_id": follow_up_id,
        "escalated_at": None if escalated is None else at(escalated),
        "version": version,
    }


def handoff_row(
    rng: random.Random,
    *,
    customer_id: uuid.UUID,
    case_id: uuid.UUID | None,
    kind: str,
    summary: str,
    from_team: str,
    to_team: str,
    created_by: uuid.UUID,
    created: int,
    acknowledge_by: int,
    status: str,
    acknowledged_by: uuid.UUID | None = None,
    acknowledged: int | None = None,
    done_by: int | None = None,
    done: int | None = None,
    version: int = 1,
) -> Row:
    return {
        "id": new_id(created, rng),
        "customer_id": customer_id,
        "case_id": case_id,
        "kind": kind,
        "summary": summary,
        "from_team": from_team,
        "to_team": to_team,
        "created_by": created_by,
        "created_at": at(created),
        "acknowledge_by": at(acknowledge_by),
        "acknowledged_by": acknowledged_by,
        "acknowledged_at": None if acknowledged is None else at(acknowledged),
        "done_by": None if done_by is None else at(done_by),
        "done_at": None if done is None else at(done),
        "status": status,
        "version": version,
    }


def goodwill_row(
    rng: random.Random,
    *,
    customer_id: uuid.UUID,
    case_id: uuid.UUID | None,
    kind: str,
    amount_pence: int,
    reason_category: str,
    reason_text: str,
    requested_by: uuid.UUID,
    requested: int,
    state: str,
    authorisation: str | None = None,
    decided_by: uuid.UUID | None = None,
    decided: int | None = None,
    decision_note: str | None = None,
    second_decided_by: uuid.UUID | None = None,
    second_decided: int | None = None,
) -> Row:
    return {
        "id": new_id(requested, rng),
        "customer_id": customer_id,
        "case_id": case_id,
        "kind": kind,
        "amount_pence": amount_pence,
        "currency": "GBP",
        "reason_category": reason_category,
        "reason_text": reason_text,
        "requested_by": requested_by,
        "requested_at": at(requested),
        "state": state,
        "authorisation": authorisation,
        "decided_by": decided_by,
        "decided_at": None if decided is None else at(decided),
        "decision_note": decision_note,
        "second_decided_by": second_decided_by,
        "second_decided_at": None if second_decided is None else at(second_decided),
        "version": 1 + (decided is not None) + (second_decided is not None),
    }


def feedback_row(
    rng: random.Random,
    *,
    case_id: uuid.UUID,
    customer_id: uuid.UUID,
    fix_score: int,
    fault_score: int,
    received: int,
    customer_cause_text: str | None = None,
) -> Row:
    return {
        "id": new_id(received, rng),
        "case_id": case_id,
        "customer_id": customer_id,
        "fix_score": fix_score,
        "fault_score": fault_score,
        "customer_cause_text": customer_cause_text,
        "received_at": at(received),
    }


def impression_row(
    rng: random.Random,
    customer_id: uuid.UUID,
    offer_id: uuid.UUID,
    advisor_id: uuid.UUID | None,
    shown: int,
) -> Row:
    return {
        "id": new_id(shown, rng),
        "customer_id": customer_id,
        "offer_id": offer_id,
        "advisor_id": advisor_id,
        "shown_at": at(shown),
    }


def owner_change_row(
    rng: random.Random,
    *,
    customer_id: uuid.UUID,
    from_user_id: uuid.UUID | None,
    to_user_id: uuid.UUID,
    note: str,
    changed: int,
) -> Row:
    """A row of account_owner_changes: who owned the account before whom."""
    return {
        "id": new_id(changed, rng),
        "customer_id": customer_id,
        "from_user_id": from_user_id,
        "to_user_id": to_user_id,
        "note": note,
        "changed_at": at(changed),
    }


def detail_change_row(
    rng: random.Random,
    *,
    customer_id: uuid.UUID,
    field: str,
    old_value: str | None,
    new_value: str | None,
    reason: str,
    changed_by: uuid.UUID,
    changed: int,
    restores_id: uuid.UUID | None = None,
) -> Row:
    """A row of customer_detail_changes: a detail set, the value it replaced, who, when and why."""
    return {
        "id": new_id(changed, rng),
        "customer_id": customer_id,
        "field": field,
        "old_value": old_value,
        "new_value": new_value,
        "reason": reason,
        "changed_by": changed_by,
        "changed_at": at(changed),
        "restores_id": restores_id,
    }


def case_owner_change_row(
    rng: random.Random,
    *,
    case_id: uuid.UUID,
    from_user_id: uuid.UUID | None,
    to_user_id: uuid.UUID,
    note: str,
    changed: int,
) -> Row:
    return {
        "id": new_id(changed, rng),
        "case_id": case_id,
        "from_user_id": from_user_id,
        "to_user_id": to_user_id,
        "note": note,
        "changed_at": at(changed),
    }
