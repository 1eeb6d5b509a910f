"""The workstation's half of sync without a server: durable outbox commits, one client identity kept
in the store, nothing queued when the unit of work fails, and pulled records turned into rows."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import select

from console.clock import ManualClock
from console.goodwill_rules import GoodwillRuleError
from console.services.goodwill import GoodwillService
from console.sync import outbox, pull
from domain import mutation_kinds
from domain.vocabulary import GoodwillKind, MutationState
from storage import replica
from storage.location import parse_location
from storage.models import Customer, Goodwill, OutboxEntry, Promise
from storage.queries import sync as queries
from storage.queries import users
from storage.store import Store, open_store
from tests.helpers import factories

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def synchronous(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(connection.exec_driver_sql("PRAGMA synchronous").scalar_one())


def test_outbox_commits_are_full_sync_and_other_writes_normal(sqlite_store: Store) -> None:
    with sqlite_store.durable_write() as session:
        assert session.connection().exec_driver_sql("PRAGMA synchronous").scalar_one() == 2  # FULL
        session.add(factories.customer())
    assert synchronous(sqlite_store) == 1  # NORMAL again for the next user of the connection


def test_the_client_id_is_made_once_and_kept(tmp_path: Path) -> None:
    location = parse_location(str(tmp_path / "store.db"))
    store = open_store(location)
    with store.write() as session:
        session.add_all([factories.user(), factories.customer()])
    ids = []
    for round_ in range(2):
        with store.durable_write() as session:
            outbox.queue(
                session,
                kind=mutation_kinds.CONTACT_ADD,
                payload={
                    "id": str(uuid.uuid4()),
                    "customer_id": str(uuid.uuid4()),
                    "channel": "phone",
                    "direction": "inbound",
                    "summary": f"round {round_}",
                },
                actor="alex",
                entity_id=None,
                occurred_at=NOW,
            )
            ids.append(queries.client_id(session, NOW))
        store.close()
        store = open_store(location)
    with store.read() as session:
        entries = queries.entries(session)
    store.close()
    assert ids[0] == ids[1] == entries[0].client_id == entries[1].client_id
    assert [entry.client_seq for entry in entries] == [1, 2]


def test_a_refused_act_queues_nothing(sqlite_store: Store) -> None:
    with sqlite_store.write() as session:
        session.add_all([factories.user("alex"), factories.customer()])
    with sqlite_store.read() as session:
        alex = users.by_username(session, "alex")
        customer_id = session.execute(select(Customer.id)).scalar_one()
    assert alex is not None
    service = GoodwillService(sqlite_store, ManualClock(NOW), alex)
    with pytest.raises(GoodwillRuleError):
        service.request(customer_id, GoodwillKind.REFUND, "5.00", "billing error", "")
    with sqlite_store.read() as session:
        assert queries.entries(session) == []
    made = service.request(customer_id, GoodwillKind.REFUND, "5.00", "billing error", "refund")
    with sqlite_store.read() as session:
        [entry] = queries.entries(session)
    assert entry.entity_id == made.id and entry.state is MutationState.PENDING
    assert entry.payload["amount_pence"] == 500 and "state" not in entry.payload


def test_pulled_records_become_rows_and_unheld_parents_are_skipped(sqlite_store: Store) -> None:
    alex = factories.user("alex")
    held = factories.customer()
    with sqlite_store.write() as session:
        session.add_all([alex, held])
    goodwill_id = uuid.uuid4()
    record = {
        "id": str(goodwill_id),
        "customer_id": str(held.id),
        "case_id": None,
        "kind": "refund",
        "amount_pence": 900,
        "currency": "GBP",
        "reason_category": "billing error",
        "reason_text": "refund",
        "requested_by": str(alex.id),
        "requested_at": "2026-11-25T09:59:58.123456+00:00",
        "state": "awaiting_approval",
        "authorisation": None,
        "decided_by": None,
        "decided_at": None,
        "decision_note": None,
        "second_decided_by": None,
        "second_decided_at": None,
        "version": 1,
        "a_column_from_a_newer_server": "ignored",
    }
    elsewhere = record | {"id": str(uuid.uuid4()), "customer_id": str(uuid.uuid4())}
    with sqlite_store.write() as session:
        report = replica.apply_records(
            session, [("goodwill", record), ("goodwill", elsewhere), ("badge", {"id": "x"})], set()
        )
    assert (report.applied, report.not_held, report.unknown) == (1, 1, 1)
    with sqlite_store.read() as session:
        row = session.get_one(Goodwill, goodwill_id)
        assert row.requested_at == datetime(2026, 11, 25, 9, 59, 58, 123456, tzinfo=UTC)
        assert row.amount_pence == 900 and row.state == "awaiting_approval"
    # Soft delete: the flag arrives like any column, the row stays.
    customer = {column.key: getattr(held, column.key) for column in Customer.__table__.columns}
    customer |= {"id": str(held.id), "deleted": True, "customer_since": "2015-04-01"}
    customer |= {"created_at": "2026-11-02T09:30:00+00:00", "updated_at": "2026-11-25T10:00:00+00:00"}
    with sqlite_store.write() as session:
        replica.apply_records(session, [("customer", customer)], set())
    with sqlite_store.read() as session:
        assert session.get_one(Customer, held.id).deleted is True


def test_a_value_of_the_wrong_type_is_refused_not_stored(sqlite_store: Store) -> None:
    with pytest.raises(replica.ReplicaError, match="amount_pence"), sqlite_store.write() as session:
        replica.apply_records(session, [("goodwill", {"id": str(uuid.uuid4()), "amount_pence": "9"})], set())


def test_what_waits_is_read_by_the_pending_index_not_by_a_scan(sqlite_store: Store) -> None:
    """Answered entries stay in the outbox for good: the next page and the waiting count must not
    read them (ix_sync_outbox_pending, a partial index the bound 'pending' value selects)."""
    seen: list[tuple[str, object]] = []

    def capture(_conn: object, _cursor: object, statement: str, parameters: object, *_: object) -> None:
        seen.append((statement, parameters))

    engine = sqlite_store.engine
    sqlalchemy_event.listen(engine, "before_cursor_execute", capture)
    try:
        with sqlite_store.read() as session:
            queries.pending(session, 500, after_seq=3)
            queries.sending(session, 500, after_seq=3)
            queries.waiting_count(session)
            queries.first_pending_seq(session)
    finally:
        sqlalchemy_event.remove(engine, "before_cursor_execute", capture)
    assert len(seen) == 4
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        for statement, parameters in seen:
            plan = " ".join(row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters))
            assert "ix_sync_outbox_pending" in plan, (statement, plan)


def test_a_page_may_name_a_row_that_comes_later_in_it(sqlite_store: Store) -> None:
    """A closed promise before its follow-up (the follow-up changed again later): the page's unit of
    work begins with reads, and the foreign keys are still checked only at its commit (a bug the
    sync state machine found: the pull failed on that page at every sync)."""
    alex = factories.user("alex")
    held = factories.customer()
    with sqlite_store.write() as session:
        session.add_all([alex, held])
    first, follow_up = uuid.uuid4(), uuid.uuid4()

    def promise(promise_id: uuid.UUID, status: str, follow: uuid.UUID | None) -> dict[str, object]:
        return {
            "id": str(promise_id),
            "customer_id": str(held.id),
            "kind": "callback",
            "owner_id": str(alex.id),
            "created_at": "2026-11-25T10:00:00+00:00",
            "due_at": "2026-11-26T10:00:00+00:00",
            "phone_e164": "+447700900123",
            "status": status,
            "follow_up_id": str(follow) if follow else None,
            "version": 2 if follow else 1,
        }

    page = {
        "changes": [
            {"entity": "promise", "data": promise(first, "not_reachable", follow_up)},
            {"entity": "promise", "data": promise(follow_up, "open", None)},
        ],
        "next_after": 2,
    }
    page["changes"].reverse()  # as the change log had them: the follow-up made, then the first closed
    page["changes"].append(
        {"entity": "promise", "data": promise(follow_up, "open", None) | {"note": "later"}}
    )
    with sqlite_store.write() as session:
        report = pull.apply_page(session, page=page, now=NOW)
    assert report.applied == 2
    with sqlite_store.read() as session:
        assert session.get_one(Promise, first).follow_up_id == follow_up
        assert queries.cursor(session) == 2


def test_an_entry_is_sent_as_its_stored_text_and_its_answer_stored_as_sent(any_store: Store) -> None:
    """The push reads pending entries raw: on either engine the page item is apply_mutation's
    arguments as JSON (the payload as queued, the time with its offset), and an answer's JSON text
    is stored as the entry's result, with its state, reason and attempts."""
    with any_store.write() as session:
        session.add_all([factories.user("alex"), factories.customer()])
    payloads = [
        {
            "id": str(uuid.uuid4()),
            "customer_id": str(uuid.uuid4()),
            "channel": "phone",
            "direction": "inbound",
            "summary": summary,
        }
        for summary in ("first", 'a «quoted» "second"')
    ]
    at = datetime(2026, 11, 25, 10, 0, 0, 1, tzinfo=UTC)
    with any_store.durable_write() as session:
        ids = [
            outbox.queue(
                session,
                kind=mutation_kinds.CONTACT_ADD,
                payload=payload,
                actor="alex",
                entity_id=None,
                occurred_at=at,
            )
            for payload in payloads
        ]
    with any_store.read() as session:
        sent = queries.sending(session, 500)
        entries = queries.entries(session)
    assert [json.loads(item.wire) for item in sent] == [
        {
            "mutation_id": str(entry.mutation_id),
            "client_id": str(entry.client_id),
            "client_seq": entry.client_seq,
            "kind": mutation_kinds.CONTACT_ADD,
            "payload": payload,
            "occurred_at": json.loads(sent[0].wire)["occurred_at"],
        }
        for entry, payload in zip(entries, payloads, strict=True)
    ]
    assert [item.mutation_uuid() for item in sent] == ids
    assert {datetime.fromisoformat(item.occurred_at) for item in sent} == {at}
    answers = [
        queries.StoredAnswer(sent[0].key, MutationState.ACCEPTED, None, '{"state": "accepted", "n": 1}', 1),
        queries.StoredAnswer(sent[1].key, MutationState.REJECTED, "no such customer", None, 2),
    ]
    with any_store.write() as session:
        queries.store_answers(session, answers)
    with any_store.read() as session:
        first, second = queries.entries(session)
        results = [queries.entry(session, mutation_id) for mutation_id in ids]
        assert queries.sending(session, 500) == []
    assert (first.state, first.reason, first.attempts) == (MutationState.ACCEPTED, None, 1)
    assert (second.state, second.reason, second.attempts) == (MutationState.REJECTED, "no such customer", 2)
    with any_store.read() as session:
        stored = [session.get_one(OutboxEntry, mutation_id).result for mutation_id in ids]
    assert stored == [{"state": "accepted", "n": 1}, None]
    assert all(result is not None for result in results)
