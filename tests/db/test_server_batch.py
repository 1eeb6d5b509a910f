"""api.apply_mutations, the batch push: one answer per mutation in order, a rejection or conflict
undoing nothing else, a replayed batch changing nothing, a transient fault committing nothing."""

from __future__ import annotations

import json
import uuid
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from console.ids import new_id
from domain.vocabulary import Role
from tests.helpers.central import NOW, Central, goodwill_payload

pytestmark = pytest.mark.postgres

COUNTED = ("goodwill", "contact_events", "promises", "mutation_log", "change_log", "audit_log")


def mutation(kind: str, payload: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "mutation_id": str(new_id()),
        "client_id": str(CLIENT),
        "client_seq": next(SEQ),
        "kind": kind,
        "payload": payload,
        "occurred_at": NOW.isoformat(),
    } | extra


CLIENT = uuid.uuid4()
SEQ = iter(range(1, 1_000_000))


def send(engine: Engine, mutations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    with engine.begin() as connection:
        answers: list[dict[str, Any]] = connection.execute(
            text("SELECT api.apply_mutations(CAST(:batch AS jsonb))"), {"batch": json.dumps(mutations)}
        ).scalar_one()
    return answers


def counts(central: Central) -> dict[str, int]:
    with central.admin.connect() as connection:
        return {
            table: int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in COUNTED
        }


def contact(customer: uuid.UUID, summary: str = "called about the bill") -> dict[str, Any]:
    return {
        "id": str(new_id()),
        "customer_id": str(customer),
        "channel": "phone",
        "direction": "inbound",
        "summary": summary,
    }


def test_one_batch_gives_each_mutation_its_own_outcome(central: Central) -> None:
    alex_user = central.add_user(Role.ADVISOR, 5_000)
    alex = central.login(alex_user)
    sam = central.login(central.add_user(Role.SUPERVISOR, 50_000))
    customer = central.customer()
    asked = central.apply(alex, "goodwill.request", goodwill_payload(customer, 9_000))
    assert asked["record"]["state"] == "awaiting_approval"
    alexs_id = asked["mutation_id"]
    before = counts(central)
    batch = [
        mutation("goodwill.approve", {"id": asked["entity_id"], "version": 1}),
        mutation("goodwill.request", goodwill_payload(uuid.uuid4(), 1_000)),  # no such customer
        mutation("goodwill.approve", {"id": asked["entity_id"], "version": 1}),  # already decided
        mutation("contact.add", contact(customer)),
        mutation("contact.add", contact(customer), occurred_at=None),  # refused: a missing argument
        mutation("contact.add", contact(customer), mutation_id=alexs_id),  # someone else's id
        mutation("contact.add", contact(customer, "the last one")),
    ]
    answers = send(sam, batch)
    assert [answer["mutation_id"] for answer in answers] == [item["mutation_id"] for item in batch]
    assert [answer["state"] for answer in answers] == [
        "accepted",
        "rejected",
        "conflict",
        "accepted",
        "rejected",
        "rejected",
        "accepted",
    ]
    assert answers[1]["reason"] == "no such customer"
    assert (
        answers[2]["reason"].startswith("already decided by") and answers[2]["record"]["state"] == "approved"
    )
    assert answers[4]["reason"] == (
        "the server refused this change: apply_mutation needs every argument but payload"
    )
    assert answers[5]["reason"] == f"mutation {alexs_id} belongs to another user"
    assert [answer.get("stored", True) for answer in answers] == [True, True, True, True, False, False, True]
    after = counts(central)
    # Applied: the approval (goodwill updated, its timeline line) and two contacts; five mutations
    # logged (the refused two are not); each change numbered once; the rejection and the conflict
    # audited beside the approval's own entry.
    assert after["goodwill"] == before["goodwill"]
    assert after["contact_events"] - before["contact_events"] == 3
    assert after["mutation_log"] - before["mutation_log"] == 5
    assert after["change_log"] - before["change_log"] == 4
    assert after["audit_log"] - before["audit_log"] == 3
    with central.admin.connect() as connection:
        state = connection.execute(
            text("SELECT state FROM goodwill WHERE id = :id"), {"id": asked["entity_id"]}
        ).scalar_one()
        stored = connection.execute(
            text("SELECT state FROM mutation_log WHERE mutation_id = :id"), {"id": alexs_id}
        ).scalar_one()
    assert state == "approved" and stored == "accepted"  # alex's mutation is untouched


def test_a_committed_batch_sent_again_changes_nothing(central: Central) -> None:
    """The acknowledgement of a committed batch was lost: the same batch again gets the same
    answers from mutation_log, and nothing on the server moves."""
    alex = central.login(central.add_user(Role.ADVISOR, 5_000))
    customer = central.customer()
    batch = [
        mutation("goodwill.request", goodwill_payload(customer, 9_000)),
        mutation("contact.add", contact(customer)),
        mutation("goodwill.request", goodwill_payload(uuid.uuid4(), 1_000)),
    ]
    first = send(alex, batch)
    assert [answer["state"] for answer in first] == ["accepted", "accepted", "rejected"]
    before = counts(central)
    again = send(alex, batch)
    assert again == first
    assert counts(central) == before


def test_mutations_of_one_batch_apply_in_order(central: Central) -> None:
    """A promise made and then ended in the same batch: the second sees the first."""
    alex = central.login(central.add_user(Role.ADVISOR, 0))
    customer = central.customer()
    promise_id = str(new_id())
    made = {
        "id": promise_id,
        "customer_id": str(customer),
        "kind": "callback",
        "due_at": NOW.replace(hour=15).isoformat(),
        "phone_e164": "+447700900123",
    }
    answers = send(
        alex,
        [
            mutation("promise.create", made),
            mutation("promise.complete", {"id": promise_id, "status": "done", "outcome": "called back"}),
        ],
    )
    assert [answer["state"] for answer in answers] == ["accepted", "accepted"]
    assert answers[1]["record"]["status"] == "done"


def test_a_transient_fault_in_a_batch_commits_none_of_it(central: Central) -> None:
    """A lock that cannot be had (another session holds the goodwill row) aborts the whole batch,
    the contact before it too; sent again once the lock is free, all of it applies once."""
    alex = central.login(central.add_user(Role.ADVISOR, 5_000))
    sam_user = central.add_user(Role.SUPERVISOR, 50_000)
    customer = central.customer()
    asked = central.apply(alex, "goodwill.request", goodwill_payload(customer, 9_000))
    batch = [
        mutation("contact.add", contact(customer)),
        mutation("goodwill.approve", {"id": asked["entity_id"]}),
    ]
    before = counts(central)
    url = central.location.url.set(username=sam_user.username, password=central.passwords[sam_user.username])
    with central.admin.connect() as holder:
        holder.execute(text("SELECT 1 FROM goodwill WHERE id = :id FOR UPDATE"), {"id": asked["entity_id"]})
        with psycopg.connect(url.render_as_string(False).replace("+psycopg", ""), autocommit=True) as sam:
            sam.execute("SET lock_timeout = '50ms'")
            with pytest.raises(psycopg.errors.LockNotAvailable):
                sam.execute("SELECT api.apply_mutations(%s::jsonb)", (json.dumps(batch),))
        holder.rollback()
    assert counts(central) == before
    answers = send(central.login(sam_user), batch)
    assert [answer["state"] for answer in answers] == ["accepted", "accepted"]
    assert counts(central)["mutation_log"] == before["mutation_log"] + 2


def test_a_disabled_login_is_refused_the_whole_batch(central: Central) -> None:
    user = central.add_user(Role.ADVISOR, 5_000)
    alex = central.login(user)
    customer = central.customer()
    with central.admin.begin() as connection:
        connection.execute(text("UPDATE users SET active = false WHERE username = :u"), {"u": user.username})
    with pytest.raises(DBAPIError) as refused:
        send(alex, [mutation("contact.add", contact(customer))])
    assert not isinstance(refused.value, OperationalError)
    assert getattr(refused.value.orig, "sqlstate", None) == "42501"


def test_a_batch_must_be_an_array_of_at_most_1000(central: Central) -> None:
    alex = central.login(central.add_user(Role.ADVISOR, 5_000))
    wrongs: list[object] = [{"kind": "contact.add"}, [{}] * 1_001]
    for wrong in wrongs:
        with pytest.raises(DBAPIError) as refused, alex.begin() as connection:
            connection.execute(
                text("SELECT api.apply_mutations(CAST(:batch AS jsonb))"), {"batch": json.dumps(wrong)}
            )
        assert getattr(refused.value.orig, "sqlstate", None) == "22023"
