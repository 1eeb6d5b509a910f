"""Sync engines subscribed at a notice relay (running on the test's loop) against a real PostgreSQL:
a change wakes only the engines whose keys meet it, `*` gets everything, the timer pull takes over
while the relay is gone, a relay that lost its own server link makes everyone behind pull once, and a
quiet engine holds no server connection. Each engine's clock moves by what its loop rests."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from console.sync.engine import SyncEngine
from console.sync.notice_keys import customer_key
from console.sync.remote import ServerLink, connector, conninfo
from domain.vocabulary import Role
from tests.db.test_sync_notice_drop import contact_payload
from tests.helpers.central import Central
from tests.helpers.relay import RunningRelay, relay_connect, start_relay
from tests.helpers.workstations import QUICK_RETRY, Workstation, shared_customer, workstation

pytestmark = pytest.mark.postgres
_runs = itertools.count(1)


class CountingLink(ServerLink):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pulls = 0

    async def pull_changes(self, after: int, max_rows: int) -> dict[str, Any]:
        self.pulls += 1
        return await super().pull_changes(after, max_rows)


@dataclass
class Station:
    name: str
    workstation: Workstation
    link: CountingLink
    engine: SyncEngine
    task: asyncio.Task[None] | None = None

    @property
    def pulls(self) -> int:
        return self.link.pulls


@dataclass
class Scene:
    central: Central
    relay: RunningRelay
    stations: dict[str, Station]
    customers: dict[str, uuid.UUID]
    tag: str
    colleague: Any = None
    made: list[str] = field(default_factory=list)

    async def change(self, customer: str) -> None:
        """A colleague's contact with the customer, committed on the server."""
        summary = f"contact {len(self.made) + 1}"
        self.made.append(summary)
        answer = await asyncio.to_thread(
            self.central.apply,
            self.central.login(self.colleague),
            "contact.add",
            contact_payload(self.customers[customer], summary),
        )
        assert answer["state"] == "accepted", answer

    def backends(self) -> int:
        with self.central.admin.connect() as connection:
            found = connection.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE :tag"),
                {"tag": f"{self.tag}%"},
            ).scalar_one()
        return int(found)


async def until(condition: Callable[[], bool], what: str, timeout: float = 20) -> None:
    """Poll `condition` while the loops run (waiting for their I/O, not for a timer)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)
    assert condition(), what


async def turns(stations: list[Station], count: int = 20) -> None:
    """Let every loop take at least `count` more rests (their clocks move that far)."""
    start = {station.name: len(station.workstation.sleeper.delays) for station in stations}
    await until(
        lambda: all(len(s.workstation.sleeper.delays) >= start[s.name] + count for s in stations),
        "the loops kept turning",
    )


@pytest.fixture
def people(central: Central, tmp_path: Path) -> tuple[Central, Path]:
    return central, tmp_path


def make_station(central: Central, ws: Workstation, name: str, tag: str, relay: RunningRelay) -> Station:
    info = conninfo(central.login(ws.user).url)
    connect = connector(info, application_name=f"{tag} {name}")
    link = CountingLink(connect)

    async def rest(seconds: float) -> None:
        ws.sleeper.delays.append(seconds)
        ws.clock.advance(timedelta(seconds=seconds))
        await asyncio.sleep(0.005)

    engine = SyncEngine(
        ws.store,
        connect,
        clock=ws.clock,
        sleep=rest,
        link=link,
        relay=relay.address,
        quiet_pull_interval=10**6,  # no quiet pull: every pull counted here was woken
        idle_close=10.0,
        retry=QUICK_RETRY,
    )
    return Station(name, ws, link, engine)


@pytest.fixture
def scene_factory(central: Central, tmp_path: Path) -> Callable[..., Any]:
    def build(**relay_options: Any) -> Any:
        async def started() -> AsyncIterator[Scene]:
            alex = central.add_user(Role.ADVISOR, 5_000, hint="alex")
            bea = central.add_user(Role.ADVISOR, 5_000, hint="bea")
            sam = central.add_user(Role.SUPERVISOR, 50_000, hint="sam")
            colleague = central.add_user(Role.ADVISOR, 5_000, hint="col")
            everyone = [alex, bea, sam, colleague]
            workstations = {
                person.username.split("_")[0]: workstation(central, tmp_path, person, everyone)
                for person in (alex, bea, sam)
            }
            stores = [ws.store for ws in workstations.values()]
            customers = {
                "alex's": shared_customer(central, stores, "41000001"),
                "bea's": shared_customer(central, stores, "41000002"),
            }
            relay = await start_relay(central, **relay_options)
            tag = f"relay-test-{next(_runs)}-{uuid.uuid4().hex[:6]}"
            stations = {
                name: make_station(central, ws, name, tag, relay) for name, ws in workstations.items()
            }
            scene = Scene(central, relay, stations, customers, tag, colleague)
            stations["alex"].engine.set_interest({customer_key(customers["alex's"])})
            stations["bea"].engine.set_interest({customer_key(customers["bea's"])})
            for station in stations.values():
                station.task = asyncio.create_task(station.engine.run())
            try:
                await until(lambda: all(s.engine.listening for s in stations.values()), "all subscribed")
                await until(lambda: relay.relay.subscribers == 3, "three subscriptions")
                await turns(list(stations.values()))  # the first pulls are done
                yield scene
            finally:
                for station in stations.values():
                    station.engine.stop()
                await asyncio.gather(*(s.task for s in stations.values() if s.task), return_exceptions=True)
                await scene.relay.stop()
                for ws in workstations.values():
                    ws.store.close()

        return contextlib.asynccontextmanager(started)()

    return build


def pulls(scene: Scene) -> dict[str, int]:
    return {name: station.pulls for name, station in scene.stations.items()}


def test_a_change_wakes_the_engines_whose_keys_meet_it_and_no_other(scene_factory: Any) -> None:
    async def scenario() -> None:
        async with scene_factory() as scene:
            alex, bea, sam = (scene.stations[name] for name in ("alex", "bea", "sam"))
            before = pulls(scene)
            await scene.change("alex's")
            await until(
                lambda: alex.pulls > before["alex"] and sam.pulls > before["sam"], "alex and sam pulled"
            )
            await turns([alex, bea, sam])
            assert bea.pulls == before["bea"]  # not hers: no pull
            assert alex.pulls == before["alex"] + 1 and sam.pulls == before["sam"] + 1
            before = pulls(scene)
            await scene.change("bea's")
            await until(lambda: bea.pulls > before["bea"] and sam.pulls > before["sam"], "bea and sam pulled")
            await turns([alex, bea, sam])
            assert alex.pulls == before["alex"]
            # The interest follows the holdings: alex now holds bea's customer too.
            alex.engine.set_interest({customer_key(scene.customers[c]) for c in ("alex's", "bea's")})
            await turns([alex])
            before = pulls(scene)
            await scene.change("bea's")
            await until(lambda: alex.pulls > before["alex"] and bea.pulls > before["bea"], "both pulled")

    asyncio.run(scenario())


def test_without_the_relay_the_timer_pulls_everything_and_back_it_catches_up_once(
    scene_factory: Any,
) -> None:
    async def scenario() -> None:
        async with scene_factory() as scene:
            stations = list(scene.stations.values())
            port = scene.relay.address.port
            await scene.relay.stop()
            await until(lambda: not any(s.engine.listening for s in stations), "the subscriptions dropped")
            before = pulls(scene)
            for customer in ("alex's", "bea's", "alex's"):
                await scene.change(customer)
            # Every engine pulls at the loop's interval now, interested or not, and gets all three.
            await until(lambda: all(s.pulls >= before[s.name] + 2 for s in stations), "timer pulls")
            await until(
                lambda: all(s.engine._known_head >= scene.relay.relay.head + 3 for s in stations), "all in"
            )
            scene.relay = await start_relay(scene.central, port=port)
            await until(lambda: all(s.engine.listening for s in stations), "subscribed again", timeout=60)
            after_back = pulls(scene)
            await turns(stations, 40)
            for station in stations:  # at most the one catch-up pull, then quiet again
                assert station.pulls <= after_back[station.name] + 1, station.name
            before = pulls(scene)
            await scene.change("bea's")
            await until(lambda: scene.stations["bea"].pulls > before["bea"], "bea woken")
            await turns(stations)
            assert scene.stations["alex"].pulls == before["alex"]

    asyncio.run(scenario())


def test_a_relay_whose_server_link_was_ended_reconnects_and_everyone_behind_pulls_once(
    scene_factory: Any, central: Central
) -> None:
    gate = asyncio.Event
    opened: list[int] = []
    real = relay_connect(central)
    held: dict[str, asyncio.Event] = {}

    async def gated() -> Any:
        if opened:
            await held["gate"].wait()
        connection = await real()
        opened.append(connection.info.backend_pid)
        return connection

    async def scenario() -> None:
        held["gate"] = gate()
        async with scene_factory(connect=gated) as scene:
            stations = list(scene.stations.values())
            relay = scene.relay.relay
            with central.admin.begin() as connection:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": relay.backend_pid})
            await until(lambda: not relay.listening.is_set(), "the relay lost its link")
            before = pulls(scene)
            await scene.change("alex's")  # no notice reaches anyone: the relay is not listening
            await turns(stations)
            assert pulls(scene) == before
            held["gate"].set()
            await until(lambda: relay.listening.is_set(), "the relay is back")
            await until(lambda: all(s.pulls > before[s.name] for s in stations), "everyone pulled")
            await turns(stations)
            assert pulls(scene) == {name: count + 1 for name, count in before.items()}
            assert relay.connections == 2

    asyncio.run(scenario())


def test_quiet_engines_hold_no_server_connection_after_the_idle_spell(scene_factory: Any) -> None:
    async def scenario() -> None:
        async with scene_factory() as scene:
            stations = list(scene.stations.values())
            await turns(stations, 10)  # 20 s on each clock: past the 10 s idle spell
            await until(lambda: not any(s.engine.holds_server_connection for s in stations), "all closed")
            assert scene.backends() == 0
            before = pulls(scene)
            await scene.change("alex's")
            alex = scene.stations["alex"]
            await until(lambda: alex.pulls > before["alex"], "alex pulled")
            await turns(stations, 10)
            await until(lambda: not alex.engine.holds_server_connection, "closed again")
            assert scene.backends() == 0
            assert scene.relay.relay.subscribers == 3  # still subscribed: the relay holds the one link

    asyncio.run(scenario())
