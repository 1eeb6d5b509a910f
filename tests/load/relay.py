"""The notice relay (console/sync/relay_server.py) as a child process of the harness: its one LISTEN
connection to the server as the notice_relay login, subscriptions on a loopback port, until told to
stop; it reports how many notices it took and forwarded."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from typing import Any

import psycopg

from console.clock import SystemClock
from console.sync.relay_server import NoticeRelay

RELAY_LOGIN = "notice_relay"  # made by `server init` (storage/server/87_notice_relay.sql)


def run_relay(conninfo: str, port: int, stop: Event, answers: Queue[dict[str, Any]]) -> None:
    """The child process's entry point."""
    logging.basicConfig(level=logging.WARNING)

    async def connect() -> psycopg.AsyncConnection[Any]:
        return await psycopg.AsyncConnection.connect(
            conninfo, autocommit=True, connect_timeout=5, application_name="advisor-console notice relay"
        )

    async def main() -> dict[str, Any]:
        relay = NoticeRelay(connect, clock=SystemClock())
        running = asyncio.create_task(relay.run("127.0.0.1", port))
        while not stop.is_set() and not running.done():
            await asyncio.sleep(0.5)
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await running
        return {"notices": relay.notices, "forwarded": relay.sent, "server_connections": relay.connections}

    answers.put(asyncio.run(main()))
