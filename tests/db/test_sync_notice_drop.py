"""A dropped change-notice link (the server went away) starts a sync at once, so the window shows
offline, with its count, within a second rather than at the next poll."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from console.clock import ManualClock
from console.sync import engine as engine_module
from console.sync.engine import SyncEngine
from console.sync.push import RetryPolicy
from storage.location import parse_location
from storage.store import open_store
from tests.helpers.central import NOW


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
