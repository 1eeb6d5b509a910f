"""A flood of change notices from one advisor's own login (any role can NOTIFY the channel) against
a workstation's running sync loop on a real PostgreSQL: notices are coalesced, pulls are paced and
back off while they bring nothing, and a real change still arrives at the floor's pace."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from sqlalchemy import text

from console.sync.engine import SyncEngine
from console.sync.pacing import PullPacing
from console.sync.remote import CHANGES_CHANNEL, ServerLink
from domain.records import UserRecord
from domain.vocabulary import GoodwillKind, GoodwillState, Role
from storage.queries import goodwill as goodwill_queries
from tests.helpers.central import NOW, Central
from tests.helpers.workstations import QUICK_RETRY, Workstation, shared_customer, workstation

pytestmark = pytest.mark.postgres


class CountingLink(ServerLink):
    """The engine's link, counting calls of api.pull_changes and how many ran at once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pulls = 0
        self.in_flight = 0
        self.most_in_flight = 0

    async def pull_changes(self, after: int, max_rows: int) -> dict[str, Any]:
        self.pulls += 1
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return await super().pull_changes(after, max_rows)
        finally:
            self.in_flight -= 1


class Flood:
    """An advisor's own login sending change notices without pause, from a thread, until stopped."""

    def __init__(self, central: Central, login: Any) -> None:
        self.sent = 0
        self._engine = central.login(login)
        self._stop = threading.Event()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with self._engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT")
            while not self._stop.is_set():
                # Heads far past the real one, so no notice looks already pulled.
                connection.execute(
                    text(
                        f"SELECT pg_notify('{CHANGES_CHANNEL}', (1000000000 + g)::text) "
                        "FROM generate_series(1, 50) AS g"
                    )
                )
                self.sent += 50
                self._started.set()

    def __enter__(self) -> Flood:
        self._thread.start()
        assert self._started.wait(timeout=10)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


class Scene(NamedTuple):
    alex: Workstation
    supervisor: UserRecord
    customer_id: uuid.UUID


@pytest.fixture
def scene(central: Central, tmp_path: Path) -> Iterator[Scene]:
    advisor = central.add_user(Role.ADVISOR, 5_000, hint="adv")
    supervisor = central.add_user(Role.SUPERVISOR, 50_000, hint="sup")
    station = workstation(central, tmp_path, advisor, [advisor, supervisor])
    try:
        yield Scene(station, supervisor, shared_customer(central, [station.store]))
    finally:
        station.store.close()


def run_under_flood(
    alex: Workstation, central: Central, *, turns: int, during: Any = None
) -> tuple[CountingLink, list[float], timedelta]:
    """The workstation's loop (LISTEN on) for `turns` turns while another advisor floods notices;
    the injected sleep moves the clock by what it is asked for. Returns the link, the rests and
    the time that passed on the workstation's clock."""
    attacker = central.add_user(Role.ADVISOR, 1_000, hint="flood")
    link = CountingLink(alex.connect())
    rests: list[float] = []

    async def rest(seconds: float) -> None:
        rests.append(seconds)
        alex.clock.advance(timedelta(seconds=seconds))
        await asyncio.sleep(0)

    engine = SyncEngine(
        alex.store, alex.connect(), clock=alex.clock, sleep=rest, listen=True, link=link, retry=QUICK_RETRY
    )

    async def scenario() -> None:
        listening = asyncio.create_task(engine.run())
        for _ in range(500):  # until LISTEN is in place
            if engine.listening:
                break
            await asyncio.sleep(0.01)
        assert engine.listening
        engine.stop()
        await asyncio.wait_for(listening, timeout=10)
        with Flood(central, attacker) as flood:
            await asyncio.sleep(0.2)  # notices already queued when the loop starts
            started = alex.clock.now()
            loop = asyncio.create_task(engine.run(turns=turns))
            if during is not None:
                await during(engine, link)
            await asyncio.wait_for(loop, timeout=60)
            assert flood.sent > 1_000
        elapsed.append(alex.clock.now() - started)

    elapsed: list[timedelta] = []
    asyncio.run(scenario())
    return link, rests, elapsed[0]


def test_a_notice_flood_gets_a_few_paced_pulls_that_back_off(scene: Scene, central: Central) -> None:
    link, rests, elapsed = run_under_flood(scene.alex, central, turns=120)
    minutes = elapsed.total_seconds() / 60
    assert minutes >= 2  # the loop rested: notices did not keep it turning
    assert link.most_in_flight == 1
    # 1, 2, 4, 8, 16 s apart, then every 30 s: about 7 pulls in the first minute, 2 a minute after.
    assert link.pulls <= 8 + 2 * minutes, (link.pulls, minutes)
    assert max(rests) <= 30.0


def test_a_real_change_during_a_flood_still_arrives_at_the_next_paced_pull(
    scene: Scene, central: Central
) -> None:
    alex = scene.alex
    asked = alex.goodwill.request(
        scene.customer_id, GoodwillKind.COMPENSATION, "75.00", "delayed repair", "slow"
    )
    approved_at: list[timedelta] = []

    async def approve_later(engine: SyncEngine, _link: CountingLink) -> None:
        while alex.clock.now() - NOW < timedelta(minutes=2):  # well backed off by then
            await asyncio.sleep(0.01)
        await asyncio.to_thread(
            central.apply,
            central.login(scene.supervisor),
            "goodwill.approve",
            {"id": str(asked.id)},
        )
        decided = alex.clock.now()
        while True:
            with alex.store.read() as session:
                row = goodwill_queries.get(session, asked.id)
            if row is not None and row.state is GoodwillState.APPROVED:
                approved_at.append(alex.clock.now() - decided)
                engine.stop()
                return
            await asyncio.sleep(0.01)

    run_under_flood(alex, central, turns=10_000, during=approve_later)
    assert approved_at and approved_at[0] <= timedelta(seconds=31)


def test_pacing_doubles_while_pulls_bring_nothing_and_drops_back_when_one_does() -> None:
    pacing = PullPacing(floor=timedelta(seconds=1), ceiling=timedelta(seconds=30))
    assert pacing.wait(NOW) == 0
    at = NOW
    gaps = []
    for _ in range(7):
        pacing.pulled(at, brought=False)
        gaps.append(pacing.wait(at))
        at += pacing.gap
    assert gaps == [2, 4, 8, 16, 30, 30, 30]
    pacing.pulled(at, brought=True)
    assert pacing.wait(at) == 1
    assert pacing.wait(at + timedelta(seconds=5)) == 0
