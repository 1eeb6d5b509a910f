"""A dropped change-notice link (the server went away) starts a sync at once, so the window shows
offline, with its count, within a second rather than at the next poll; with the link down for good,
the loop's timer still brings every change."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from console.clock import ManualClock
from console.ids import new_id
from console.sync import engine as engine_module
from console.sync.engine import SyncEngine
from console.sync.push import RetryPolicy
from console.sync.remote import ServerLink
from console.sync.remote import notices as remote_notices
from domain.vocabulary import Role
from storage.location import parse_location
from storage.models import ContactEvent
from storage.store import open_store
from tests.helpers.central import NOW, Central
from tests.helpers.workstations import QUICK_RETRY, shared_customer, workstation


async def refused() -> Any:
    raise ConnectionRefusedError("connection refused")


async def listening_then_dropped(_connect: object) -> AsyncIterator[int]:
    yield 0  # LISTEN in place, nothing new
    raise ConnectionResetError("server closed the connection unexpectedly")


def test_a_dropped_notice_link_wakes_the_sync_loop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "notices", listening_then_dropped)
    store = open_store(parse_location(str(tmp_path / "station.db")))
    try:

        async def never(_seconds: float) -> None:  # no poll ever comes round: only a wake moves the loop
            await asyncio.Event().wait()

        engine = SyncEngine(
            store, refused, clock=ManualClock(NOW), sleep=never, listen=True, retry=RetryPolicy(attempts=1)
        )
        turns: list[object] = []
        engine.add_summary_listener(turns.append)

        async def run() -> None:
            await asyncio.wait_for(engine.run(turns=2), timeout=2)

        asyncio.run(run())
        assert len(turns) == 2
    finally:
        store.close()


def contact_payload(customer_id: uuid.UUID, summary: str) -> dict[str, Any]:
    return {
        "id": str(new_id()),
        "customer_id": str(customer_id),
        "channel": "phone",
        "direction": "inbound",
        "occurred_at": NOW.isoformat(),
        "recorded_at": NOW.isoformat(),
        "subject": None,
        "summary": summary,
    }


@pytest.mark.postgres
def test_with_its_listening_backend_killed_a_workstation_still_gets_every_change_by_timer(
    central: Central, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server ends the workstation's LISTEN backend (pg_terminate_backend) and the notice link
    cannot be made again: the changes made afterwards all arrive, by the pulls of the loop's timer
    (the injected sleep moves the clock; nothing waits on a real timer)."""
    advisor = central.add_user(Role.ADVISOR, 5_000, hint="adv")
    colleague = central.add_user(Role.ADVISOR, 5_000, hint="col")
    station = workstation(central, tmp_path, advisor, [advisor, colleague])
    customer_id = shared_customer(central, [station.store])
    real_connect = station.connect()
    listening, dropped, refused_again = asyncio.Event(), asyncio.Event(), asyncio.Event()
    backends: list[int] = []

    async def notice_connect() -> Any:
        if backends:  # the notice link stays down: a second connection never completes
            refused_again.set()
            await asyncio.Event().wait()
        connection = await real_connect()
        backends.append(connection.info.backend_pid)
        return connection

    async def watched_notices(connect: Any) -> AsyncIterator[str]:
        try:
            async for head in remote_notices(connect):
                listening.set()
                yield head
        finally:
            dropped.set()

    monkeypatch.setattr(engine_module, "notices", watched_notices)
    pulls_at: list[datetime] = []

    class TimedLink(ServerLink):
        async def pull_changes(self, after: int, max_rows: int) -> dict[str, Any]:
            pulls_at.append(station.clock.now())
            return await super().pull_changes(after, max_rows)

    async def rest(seconds: float) -> None:
        station.clock.advance(timedelta(seconds=seconds))
        await asyncio.sleep(0)

    engine = SyncEngine(
        station.store,
        notice_connect,
        clock=station.clock,
        sleep=rest,
        listen=True,
        link=TimedLink(real_connect),
        retry=QUICK_RETRY,
    )
    summaries = ["Made after the drop, one", "Made after the drop, two", "Made after the drop, three"]

    def held() -> set[str]:
        with station.store.read() as session:
            return set(session.scalars(select(ContactEvent.summary)))

    delivered = asyncio.Event()
    engine.add_summary_listener(lambda _summary: delivered.set() if set(summaries) <= held() else None)

    async def scenario() -> None:
        loop = asyncio.create_task(engine.run())
        await asyncio.wait_for(listening.wait(), timeout=10)
        with central.admin.begin() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backends[0]})
        await asyncio.wait_for(dropped.wait(), timeout=10)
        await asyncio.wait_for(refused_again.wait(), timeout=10)
        after_drop = len(pulls_at)
        dropped_at = station.clock.now()
        for summary in summaries:
            made = await asyncio.to_thread(
                central.apply, central.login(colleague), "contact.add", contact_payload(customer_id, summary)
            )
            assert made["state"] == "accepted", made
        await asyncio.wait_for(delivered.wait(), timeout=30)
        engine.stop()
        await asyncio.wait_for(loop, timeout=10)
        assert not engine.listening
        # By the loop's turns: no notice could come any more. A pull may start at the very moment of
        # the drop (the clock has not moved yet) and already bring a change: it counts too.
        timer_pulls = [at for at in pulls_at[after_drop:] if at >= dropped_at]
        assert timer_pulls
        gaps = {(later - earlier).total_seconds() for earlier, later in pairwise(pulls_at[after_drop:])}
        assert max(gaps, default=0.0) <= engine.interval, gaps  # never longer than a turn without a pull

    try:
        asyncio.run(scenario())
        assert set(summaries) <= held()
    finally:
        station.store.close()
