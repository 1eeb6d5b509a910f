"""What the server spends, sampled from a thread while the workstations run: client backends in
pg_stat_activity every second (pooled ones and LISTEN ones apart), the CPU time of the postmaster and
its children and of PgBouncer (from /proc, across a restart), their memory (PSS) every ten seconds,
and the machine's load average."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

TICK = os.sysconf("SC_CLK_TCK")
COUNT = """
SELECT count(*) FILTER (WHERE backend_type = 'client backend'),
       count(*) FILTER (WHERE backend_type = 'client backend'
                          AND (query ILIKE 'LISTEN%' OR usename = 'notice_relay'))
  FROM pg_stat_activity WHERE pid <> pg_backend_pid()
"""


def _stat(pid: int) -> tuple[int, float, float] | None:
    """(ppid, own CPU s, reaped children's CPU s) from /proc/pid/stat, or None if gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return (
        int(fields[1]),
        (int(fields[11]) + int(fields[12])) / TICK,
        (int(fields[13]) + int(fields[14])) / TICK,
    )


def _pss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None and stat[0] == parent:
                found.append(int(entry))
    return found


@dataclass
class Samples:
    backends: list[int] = field(default_factory=list)  # client backends, each second
    listening: list[int] = field(default_factory=list)  # of which LISTEN connections
    server_cpu: list[tuple[float, float]] = field(default_factory=list)  # (wall, cumulative CPU s)
    helper_cpu: dict[str, list[tuple[float, float]]] = field(default_factory=dict)  # PgBouncer, relay
    server_mb: list[float] = field(default_factory=list)
    helper_mb: dict[str, list[float]] = field(default_factory=dict)
    load: list[float] = field(default_factory=list)
    failures: int = 0


class Sampler(threading.Thread):
    """`start()`, then `finish()` returns the samples; `postmaster` is asked again at every sample
    (a restart makes a new one)."""

    def __init__(self, admin_uri: str, postmaster: Callable[[], int], helpers: dict[str, int]) -> None:
        super().__init__(daemon=True, name="load-sampler")
        self.admin_uri = admin_uri
        self.postmaster = postmaster
        self.helpers = helpers
        self.samples = Samples()
        self._halt = threading.Event()
        self._base = 0.0  # CPU of postmasters that ended (a restart)
        self._last: tuple[int, float] | None = None

    def run(self) -> None:
        connection: psycopg.Connection[Any] | None = None
        tick = 0
        while not self._halt.wait(1.0):
            tick += 1
            try:
                if connection is None or connection.closed:
                    connection = psycopg.connect(self.admin_uri, autocommit=True, connect_timeout=2)
                row = connection.execute(COUNT).fetchone()
                assert row is not None
                self.samples.backends.append(int(row[0]))
                self.samples.listening.append(int(row[1]))
            except (psycopg.Error, OSError):
                self.samples.failures += 1
                connection = None
            self._cpu(tick % 10 == 0)
            self.samples.load.append(os.getloadavg()[0])
        if connection is not None:
            connection.close()

    def _cpu(self, memory: bool) -> None:
        now = time.time()
        try:
            postmaster = self.postmaster()
        except (OSError, ValueError, IndexError):
            return
        stat = _stat(postmaster)
        if stat is None:
            return
        children = _children(postmaster)
        total = stat[1] + stat[2]
        for child in children:
            found = _stat(child)
            if found is not None:
                total += found[1]
        if self._last is not None and self._last[0] != postmaster:
            self._base += self._last[1]
        self._last = (postmaster, total)
        self.samples.server_cpu.append((now, self._base + total))
        for name, pid in self.helpers.items():
            found = _stat(pid)
            if found is not None:
                self.samples.helper_cpu.setdefault(name, []).append((now, found[1]))
        if memory:
            self.samples.server_mb.append(sum(_pss_mb(pid) for pid in [postmaster, *children]))
            for name, pid in self.helpers.items():
                self.samples.helper_mb.setdefault(name, []).append(_pss_mb(pid))

    def finish(self) -> Samples:
        self._halt.set()
        self.join(timeout=10)
        return self.samples
