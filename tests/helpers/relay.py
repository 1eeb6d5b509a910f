"""A notice relay for tests, running on the test's own loop and connected as the notice_relay login to
the test's central server, listening on a free loopback port."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import psycopg

from console.clock import SystemClock
from console.relay_address import RelayAddress
from console.sync.relay_server import NoticeRelay
from console.sync.remote import conninfo
from tests.helpers.central import Central


def relay_connect(central: Central) -> Any:
    info = conninfo(central.location.url.set(username="notice_relay", password=None))

    async def connect() -> psycopg.AsyncConnection[Any]:
        return await psycopg.AsyncConnection.connect(
            info, autocommit=True, application_name="advisor-console notice relay"
        )

    return connect


@dataclass
class RunningRelay:
    relay: NoticeRelay
    address: RelayAddress
    server: asyncio.Server
    tasks: list[asyncio.Task[None]]

    async def stop(self) -> None:
        """The relay process ends: its listener, and every subscriber's link."""
        self.server.close()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.relay.close_all()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.server.wait_closed(), 5)


async def start_relay(
    central: Central, *, port: int = 0, connect: Any = None, **options: Any
) -> RunningRelay:
    relay = NoticeRelay(
        connect or relay_connect(central), clock=options.pop("clock", SystemClock()), **options
    )
    server = await relay.serve("127.0.0.1", port)
    tasks = [asyncio.create_task(relay.listen())]
    await asyncio.wait_for(relay.listening.wait(), 10)
    bound = server.sockets[0].getsockname()[1]
    return RunningRelay(relay, RelayAddress("127.0.0.1", bound, tls=False), server, tasks)


@contextlib.asynccontextmanager
async def relay_running(central: Central, **options: Any) -> AsyncIterator[RunningRelay]:
    running = await start_relay(central, **options)
    try:
        yield running
    finally:
        await running.stop()
