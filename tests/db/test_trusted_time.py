"""Backdating, through an advisor's own login: the server takes a client's time only inside a window
from the workstation's last sync to its own now (plus a small skew), keeps the claimed time beside
the one it used, and the measures read the one it used. A workstation offline for days still has
its honest times kept."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from console.clock import ManualClock
from console.ids import new_id
from console.sync import outbox
from domain import mutation_kinds
from domain.vocabulary import Role
from tests.helpers.central import Central, goodwill_payload
from tests.helpers.workstations import workstation

pytestmark = pytest.mark.postgres

Y2020 = datetime(2020, 3, 2, 9, 0, tzinfo=UTC)
Y1900 = datetime(1900, 1, 1, tzinfo=UTC)


def server_now(central: Central) -> datetime:
    with central.admin.connect() as connection:
        found: datetime = connection.execute(text("SELECT now()")).scalar_one()
    return found


def test_a_promise_made_and_kept_in_2020_is_not_kept_on_time(central: Central) -> None:
    advisor = central.login(central.add_user(Role.ADVISOR, 5_000))
    customer = central.customer()
    promise_id = new_id()
    made = central.apply(
        advisor,
        mutation_kinds.PROMISE_CREATE,
        outbox.promise_create(
            promise_id=promise_id,
            customer_id=customer,
            case_id=None,
            kind="progress_update",
            due_at=Y2020 + timedelta(hours=2),
            window_end_at=None,
            phone_e164=None,
            note=None,
            event_id=new_id(),
        ),
        occurred_at=Y2020,
    )
    assert made["state"] == "rejected" and "the due time is in the past" in made["reason"]
    assert made["time_trusted"] is False
    ended = central.apply(
        advisor,
        mutation_kinds.PROMISE_COMPLETE,
        outbox.promise_complete(
            promise_id=promise_id,
            version=1,
            status="done",
            outcome="called back",
            next_attempt_at=None,
            customer_told=None,
            follow_up_id=None,
            event_id=new_id(),
        ),
        occurred_at=Y2020 + timedelta(hours=1),
    )
    assert ended["state"] == "rejected"
    with central.admin.connect() as connection:
        kept = connection.execute(
            text("SELECT count(*) FROM promises WHERE closed_at <= due_at AND due_at < '2021-01-01'")
        ).scalar_one()
    assert kept == 0


def test_a_goodwill_request_dated_1900_takes_the_time_it_arrived(central: Central) -> None:
    advisor = central.login(central.add_user(Role.ADVISOR, 5_000))
    before = server_now(central)
    payload = goodwill_payload(central.customer(), 1_000)
    answer = central.apply(advisor, mutation_kinds.GOODWILL_REQUEST, payload, occurred_at=Y1900)
    assert answer["state"] == "accepted"
    assert (answer["time_trusted"], answer["clock_skew_flagged"]) == (False, True)
    with central.admin.connect() as connection:
        requested_at = connection.execute(
            text("SELECT requested_at FROM goodwill WHERE id = CAST(:id AS uuid)"), {"id": payload["id"]}
        ).scalar_one()
        claimed = connection.execute(
            text("SELECT occurred_at FROM mutation_log WHERE mutation_id = CAST(:m AS uuid)"),
            {"m": answer["mutation_id"]},
        ).scalar_one()
    assert requested_at >= before  # the receipt, not 1900
    assert claimed == Y1900  # the claimed time is kept beside it
    assert datetime.fromisoformat(answer["trusted_at"]) == requested_at


def test_a_time_in_the_future_takes_the_time_it_arrived(central: Central) -> None:
    advisor = central.login(central.add_user(Role.ADVISOR, 5_000))
    ahead = server_now(central) + timedelta(days=2)
    answer = central.apply(
        advisor,
        mutation_kinds.GOODWILL_REQUEST,
        goodwill_payload(central.customer(), 1_000),
        occurred_at=ahead,
    )
    assert answer["state"] == "accepted" and answer["time_trusted"] is False


def test_a_workstation_offline_for_days_keeps_its_honest_times(central: Central) -> None:
    user = central.add_user(Role.ADVISOR, 5_000)
    advisor = central.login(user)
    now = server_now(central)
    central.synced(user.username, now - timedelta(days=3))  # its last sync: three days ago
    inside = now - timedelta(days=2)
    outside = now - timedelta(days=4)
    kept = central.apply(
        advisor,
        mutation_kinds.GOODWILL_REQUEST,
        goodwill_payload(central.customer(), 100),
        occurred_at=inside,
    )
    before = central.apply(
        advisor,
        mutation_kinds.GOODWILL_REQUEST,
        goodwill_payload(central.customer(), 100),
        occurred_at=outside,
    )
    assert (kept["time_trusted"], datetime.fromisoformat(kept["trusted_at"])) == (True, inside)
    assert before["time_trusted"] is False


def test_another_workstations_sync_does_not_stretch_this_ones_window(central: Central) -> None:
    user = central.add_user(Role.ADVISOR, 5_000)
    advisor = central.login(user)
    now = server_now(central)
    central.synced(user.username, now - timedelta(minutes=1))  # this workstation synced a minute ago
    central.synced(user.username, now - timedelta(days=30), client_id=new_id())  # an old laptop
    answer = central.apply(
        advisor,
        mutation_kinds.GOODWILL_REQUEST,
        goodwill_payload(central.customer(), 100),
        occurred_at=now - timedelta(days=2),
    )
    assert answer["time_trusted"] is False


def test_a_sync_marks_the_workstations_window_and_a_false_one_is_not_kept(
    central: Central, tmp_path: Path
) -> None:
    user = central.add_user(Role.ADVISOR, 5_000)
    station = workstation(central, tmp_path, user, [user])
    station.clock = ManualClock(server_now(central))  # a workstation whose clock is right
    summary = asyncio.run(station.engine().sync_once())
    assert summary.offline is None
    with central.admin.connect() as connection:
        marks = connection.execute(
            text("SELECT synced_at FROM api.workstation_syncs WHERE username = :u AND client_id <> :c"),
            {"u": user.username, "c": central.client_id},
        ).all()
    assert len(marks) == 1 and marks[0].synced_at > server_now(central) - timedelta(minutes=1)
    # A workstation whose clock is days off is not marked: its times are not trusted anyway.
    with central.login(user).begin() as connection:
        answer = connection.execute(
            text("SELECT api.sync_mark(:c, 0, :t)"), {"c": new_id(), "t": Y2020}
        ).scalar_one()
    assert answer["marked"] is False


def test_the_claimed_time_of_an_ended_promise_is_not_what_the_board_measures(central: Central) -> None:
    """Closing a promise long after it was due, claiming a time before it was due."""
    user = central.add_user(Role.ADVISOR, 5_000)
    advisor = central.login(user)
    now = server_now(central)
    promise_id = new_id()
    with central.admin.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO promises (id, customer_id, kind, owner_id, created_at, due_at, status, version)"
                " VALUES (:id, :customer, 'progress_update', :owner, :made, :due, 'open', 1)"
            ),
            {
                "id": promise_id,
                "customer": central.customer(),
                "owner": user.id,
                "made": now - timedelta(days=40),
                "due": now - timedelta(days=39),
            },
        )
    answer = central.apply(
        advisor,
        mutation_kinds.PROMISE_COMPLETE,
        outbox.promise_complete(
            promise_id=promise_id,
            version=1,
            status="done",
            outcome="called back",
            next_attempt_at=None,
            customer_told=None,
            follow_up_id=None,
            event_id=new_id(),
        ),
        occurred_at=now - timedelta(days=39, hours=1),
    )
    assert answer["state"] == "accepted" and answer["time_trusted"] is False
    with central.admin.connect() as connection:
        late = connection.execute(
            text("SELECT closed_at > due_at FROM promises WHERE id = :id"), {"id": promise_id}
        ).scalar_one()
    assert late
