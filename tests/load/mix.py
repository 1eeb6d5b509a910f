"""What a simulated advisor does: a realistic mix of acts (contact lines, cases opened and updated,
promises, handoffs, goodwill requests within and above their limit), each as the mutation the
console's outbox would queue, checked against domain/mutation_kinds.py's table."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from domain import mutation_kinds
from domain.vocabulary import Team

# Out of 100 acts.
WEIGHTS = {
    mutation_kinds.CONTACT_ADD: 50,
    mutation_kinds.CASE_OPEN: 10,
    mutation_kinds.CASE_UPDATE: 12,
    mutation_kinds.PROMISE_CREATE: 10,
    mutation_kinds.HANDOFF_CREATE: 8,
    mutation_kinds.GOODWILL_REQUEST: 10,
}
ABOVE_LIMIT = 0.6  # of goodwill requests: above the advisor's limit, so a supervisor must approve


@dataclass
class Mutation:
    """One queued mutation, as the outbox holds it, and what became of it."""

    mutation_id: uuid.UUID
    client_seq: int
    kind: str
    payload: dict[str, Any]
    occurred_at: datetime
    queued: float  # monotonic time it was queued
    sends: int = 0
    answer: dict[str, Any] | None = None

    def wire(self, client_id: uuid.UUID) -> dict[str, Any]:
        return {
            "mutation_id": str(self.mutation_id),
            "client_id": str(client_id),
            "client_seq": self.client_seq,
            "kind": self.kind,
            "payload": self.payload,
            "occurred_at": self.occurred_at.isoformat(),
        }


@dataclass
class Advisor:
    """An advisor's acts: which customers they serve, the cases they opened, their limit."""

    rng: random.Random
    customers: list[str]
    limit_pence: int
    open_cases: list[str] = field(default_factory=list)

    def act(self, now: datetime) -> tuple[str, dict[str, Any]]:
        kind = self.rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        if kind == mutation_kinds.CASE_UPDATE and not self.open_cases:
            kind = mutation_kinds.CONTACT_ADD
        customer = self.rng.choice(self.customers)
        payload = getattr(self, "_" + kind.replace(".", "_"))(customer, now)
        mutation_kinds.check_payload(kind, payload)
        return kind, payload

    def _contact_add(self, customer: str, now: datetime) -> dict[str, Any]:
        return {
            "id": str(uuid.uuid4()),
            "customer_id": customer,
            "channel": self.rng.choice(["phone", "email", "chat"]),
            "direction": "inbound",
            "occurred_at": now.isoformat(),
            "recorded_at": now.isoformat(),
            "summary": "Customer called about their bill; explained the charges",
            "duration_seconds": self.rng.randint(60, 900),
        }

    def _case_open(self, customer: str, now: datetime) -> dict[str, Any]:
        case_id = str(uuid.uuid4())
        self.open_cases.append(case_id)
        return {
            "id": case_id,
            "customer_id": customer,
            "kind": "broadband_fault",
            "title": "Broadband drops every evening",
            "severity": "medium",
            "target_at": (now + timedelta(days=3)).isoformat(),
            "event_id": str(uuid.uuid4()),
            "reported_text": "Drops around 7pm most days",
            "next_step": "Line test tonight",
        }

    def _case_update(self, customer: str, now: datetime) -> dict[str, Any]:
        return {
            "id": self.rng.choice(self.open_cases),
            "done": "Ran a line test",
            "next_step": "Engineer visit if it drops again",
            "customer_told": True,
            "event_id": str(uuid.uuid4()),
        }

    def _promise_create(self, customer: str, now: datetime) -> dict[str, Any]:
        return {
            "id": str(uuid.uuid4()),
            "customer_id": customer,
            "kind": "progress_update",
            "due_at": (now + timedelta(days=1)).isoformat(),
            "note": "Update on the line test",
            "event_id": str(uuid.uuid4()),
        }

    def _handoff_create(self, customer: str, now: datetime) -> dict[str, Any]:
        return {
            "id": str(uuid.uuid4()),
            "customer_id": customer,
            "kind": "task",
            "to_team": Team.TECHNICAL.value,
            "summary": "Check the line card at the exchange",
            "acknowledge_by": (now + timedelta(days=9)).astimezone(UTC).isoformat(),
            "event_id": str(uuid.uuid4()),
        }

    def _goodwill_request(self, customer: str, now: datetime) -> dict[str, Any]:
        above = self.rng.random() < ABOVE_LIMIT
        amount = (
            self.limit_pence + self.rng.randint(100, 5_000)
            if above
            else self.rng.randint(100, self.limit_pence)
        )
        return {
            "id": str(uuid.uuid4()),
            "customer_id": customer,
            "kind": "compensation",
            "amount_pence": amount,
            "reason_category": "service outage",
            "reason_text": "Line down for three days",
            "event_id": str(uuid.uuid4()),
        }


def approval(goodwill_id: str, version: int) -> dict[str, Any]:
    payload = {"id": goodwill_id, "version": version, "note": "Agreed", "event_id": str(uuid.uuid4())}
    mutation_kinds.check_payload(mutation_kinds.GOODWILL_APPROVE, payload)
    return payload
