"""PgBouncer (Debian's package) as a child process of the harness: loopback TCP in front of the
server's unix socket, transaction pooling, at most `server_connections` server connections in all.
Clients sign in as themselves with SCRAM against an auth_file of the server's own verifiers. With a
`gateway` password, PgBouncer signs in to the server as the shared console_gateway login (one pool,
each call naming its person's session: docs/security.md, "Pooled sessions"); without one, as each
client (one pool per login, through the keys the client's SCRAM exchange gave it)."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

import psycopg

BINARY = "/usr/sbin/pgbouncer"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, seconds: float = 15.0) -> None:
    """Until something listens on 127.0.0.1:port."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port} after {seconds:g} s")


class PgBouncer:
    """Started by `start()`, stopped by `stop()`; `conninfo(user, password)` for a client."""

    def __init__(
        self,
        folder: Path,
        *,
        socket_dir: str,
        port: int,
        database: str,
        secrets: dict[str, str],
        max_clients: int,
        server_connections: int,
        run_as: str,
        gateway: str | None = None,
    ) -> None:
        if not Path(BINARY).exists():
            raise SystemExit("PgBouncer is not installed: apt-get install -y pgbouncer")
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.database = database
        self.server_connections = server_connections
        logins = dict(secrets)
        target = f"host={socket_dir} port={port} dbname={database}"
        if gateway is not None:
            logins["console_gateway"] = gateway  # PgBouncer signs in with it; no client knows it
            target += f" user=console_gateway pool_size={server_connections}"
        users = "".join(f'"{name}" "{secret}"\n' for name, secret in sorted(logins.items()))
        (folder / "userlist.txt").write_text(users, encoding="utf-8")
        # A pool holds a server connection only for a transaction, then gives it back; an idle one is
        # closed after a second (per-login pools) so other logins' pools can have it.
        idle = 600 if gateway is not None else 1
        (folder / "pgbouncer.ini").write_text(
            f"""[databases]
{database} = {target}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
auth_type = scram-sha-256
auth_file = {folder / "userlist.txt"}
pool_mode = transaction
max_client_conn = {max_clients}
default_pool_size = 4
max_db_connections = {server_connections}
server_idle_timeout = {idle}
server_lifetime = 3600
server_connect_timeout = 5
server_login_retry = 1
query_wait_timeout = 60
client_tls_sslmode = disable
server_tls_sslmode = disable
logfile = {folder / "pgbouncer.log"}
pidfile = {folder / "pgbouncer.pid"}
log_connections = 0
log_disconnections = 0
log_pooler_errors = 1
stats_period = 60
user = {run_as}
""",
            encoding="utf-8",
        )
        account = pwd.getpwnam(run_as)
        for path in (folder, folder / "userlist.txt", folder / "pgbouncer.ini"):
            os.chown(path, account.pw_uid, account.pw_gid)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [BINARY, str(self.folder / "pgbouncer.ini")],
            stdout=subprocess.DEVNULL,
            stderr=(self.folder / "stderr.log").open("wb"),
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"PgBouncer did not start: {self.log_tail()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit(f"PgBouncer did not listen on 127.0.0.1:{self.port}")

    def conninfo(self, user: str, password: str) -> str:
        return psycopg.conninfo.make_conninfo(
            dbname=self.database, host="127.0.0.1", port=self.port, user=user, password=password
        )

    def pid(self) -> int:
        assert self.process is not None, "not started"
        return self.process.pid

    def log_tail(self, lines: int = 5) -> str:
        text = ""
        for name in ("pgbouncer.log", "stderr.log"):
            path = self.folder / name
            if path.exists():
                text += path.read_text(encoding="utf-8", errors="replace")
        return " | ".join(text.strip().splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)
