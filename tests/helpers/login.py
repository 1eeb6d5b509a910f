"""Sign-in test support: password auth on the suite's PostgreSQL, people as login roles, an in-memory
keyring, and a TLS endpoint with a bad certificate (for libpq's sslmode=verify-full to refuse)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import ssl
import struct
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import platformdirs
import psycopg
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError
from psycopg import sql

from console.server_address import ServerAddress, parse_server_url
from domain.vocabulary import Role, Team
from tests.helpers.passwords import password_clause

LOGIN_DATABASES = "login"  # the sign-in tests' databases are named login_<hex>
HBA_MARKER = "# advisor-console tests: passwords on the sign-in tests' databases, for all but the superuser"


def require_passwords(admin_uri: str) -> None:
    """Make the suite's server check the passwords of every role but `postgres` on the sign-in tests'
    databases (a pattern, set once per server). Local logins to any other database stay trusted, so no
    test depends on whether a sign-in test ran before it in the same process."""
    with psycopg.connect(admin_uri, autocommit=True) as connection:
        row = connection.execute("SHOW hba_file").fetchone()
        assert row is not None
        hba = Path(str(row[0]))
        text = hba.read_text(encoding="utf-8")
        if HBA_MARKER not in text:
            rules = f"{HBA_MARKER}\nlocal all postgres trust\nlocal /^{LOGIN_DATABASES}_ all scram-sha-256\n"
            hba.write_text(rules + text, encoding="utf-8")
            connection.execute("SELECT pg_reload_conf()")
        for role in Role:
            exists = connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role.value,)).fetchone()
            if exists is None:
                with contextlib.suppress(psycopg.errors.DuplicateObject):  # made by a parallel run
                    connection.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role.value)))


@dataclass
class LoginServer:
    """One fresh database on the suite's server, with the app's schema, and login roles made per test."""

    admin_uri: str  # superuser, this database (psycopg URI)
    socket_dir: str
    port: int
    database: str
    roles: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        """What a workstation's settings.toml would say."""
        return f"postgresql:///{self.database}?host={self.socket_dir}&port={self.port}"

    @property
    def address(self) -> ServerAddress:
        return parse_server_url(self.url)

    def add_user(
        self,
        password: str,
        *,
        role: Role | None = Role.ADVISOR,
        login: bool = True,
        active: bool = True,
        users_row: bool = True,
        display_name: str = "Test Person",
    ) -> str:
        """A person: a login role (unique name) in the group `role`, and their `users` row."""
        name = f"u_{uuid.uuid4().hex[:10]}"
        self.roles.append(name)
        with psycopg.connect(self.admin_uri, autocommit=True) as connection:
            connection.execute(
                sql.SQL("CREATE ROLE {} {} {}").format(
                    sql.Identifier(name), sql.SQL("LOGIN" if login else "NOLOGIN"), password_clause(password)
                )
            )
            if role is not None:
                connection.execute(
                    sql.SQL("GRANT {} TO {}").format(sql.Identifier(role.value), sql.Identifier(name))
                )
            if users_row:
                connection.execute(
                    "INSERT INTO users (id, username, display_name, role, team, goodwill_limit_pence,"
                    " active, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                    (
                        uuid.uuid4(),
                        name,
                        display_name,
                        (role or Role.ADVISOR).value,
                        Team.FRONT_LINE.value,
                        5000,
                        active,
                        datetime(2026, 1, 1, tzinfo=UTC),
                    ),
                )
        return name

    def set_password(self, name: str, password: str) -> None:
        with psycopg.connect(self.admin_uri, autocommit=True) as connection:
            connection.execute(
                sql.SQL("ALTER ROLE {} {}").format(sql.Identifier(name), password_clause(password))
            )

    def drop_roles(self) -> None:
        with psycopg.connect(self.admin_uri, autocommit=True) as connection:
            for name in self.roles:
                connection.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


class SocketLink:
    """The server's socket seen through a folder of our own: cut the link and the server is unreachable
    at the same address (the same keyring and offline-unlock entries), with nothing else disturbed."""

    def __init__(self, server: LoginServer) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="ac-sock-"))  # short: socket paths max out at 107 bytes
        self._server = server
        self.link = self.folder / f".s.PGSQL.{server.port}"
        self.restore()

    @property
    def url(self) -> str:
        return f"postgresql:///{self._server.database}?host={self.folder}&port={self._server.port}"

    def cut(self) -> None:
        self.link.unlink(missing_ok=True)

    def restore(self) -> None:
        if not self.link.is_symlink():
            self.link.symlink_to(Path(self._server.socket_dir) / f".s.PGSQL.{self._server.port}")

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def folders_of_this_workstation(tmp_path: Path) -> list[Path]:
    """The data folder (store, offline-unlock cache), settings, logs and cache, and the test's own files."""
    folders = [
        platformdirs.user_data_path(),
        platformdirs.user_config_path(),
        platformdirs.user_log_path(),
        platformdirs.user_state_path(),
        platformdirs.user_cache_path(),
        tmp_path,
    ]
    return [folder for folder in folders if folder.exists()]


def files_holding(secret: str, folders: list[Path]) -> list[Path]:
    needle = secret.encode("utf-8")
    found: list[Path] = []
    searched = 0
    for folder in folders:
        for root, _, names in os.walk(folder):
            for name in names:
                path = Path(root) / name
                searched += 1
                if needle in path.read_bytes():
                    found.append(path)
    assert searched > 0
    return found


def closed_port() -> int:
    """A local TCP port with nothing listening on it (the server is 'unreachable')."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps passwords in this process only (tests select it)."""

    priority = 10  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError("not stored")


# -- a TLS endpoint that answers PostgreSQL's SSLRequest with a bad certificate ---------------------

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104


@dataclass(frozen=True)
class Certificates:
    ca_file: Path  # the authority the workstation trusts
    expired: tuple[Path, Path]  # cert and key for localhost, signed by that authority, expired
    untrusted: tuple[Path, Path]  # cert and key for localhost, self-signed
    valid: tuple[Path, Path] | None = None  # cert and key for localhost, signed by that authority


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


def make_certificates(folder: Path) -> Certificates:
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Test CA"))
        .issuer_name(_name("Test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=30))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file = folder / "ca.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))

    def leaf(
        issuer_key: ec.EllipticCurvePrivateKey, issuer: x509.Name, stem: str, days: int
    ) -> tuple[Path, Path]:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name("localhost"))
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=20))
            .not_valid_after(now + timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(issuer_key, hashes.SHA256())
        )
        cert_file, key_file = folder / f"{stem}.pem", folder / f"{stem}.key"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        _write_key(key, key_file)
        return cert_file, key_file

    expired = leaf(ca_key, ca.subject, "expired", -1)
    other_key = ec.generate_private_key(ec.SECP256R1())
    untrusted = leaf(other_key, _name("localhost"), "untrusted", 30)
    return Certificates(ca_file, expired, untrusted, leaf(ca_key, ca.subject, "valid", 30))


class BadCertificateServer:
    """Accepts connections on 127.0.0.1, says yes to SSLRequest and presents the given certificate."""

    def __init__(self, cert: Path, key: Path) -> None:
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.load_cert_chain(cert, key)
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen()
        self._listener.settimeout(10)
        self.port: int = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._stop = threading.Event()
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(10)
                # The client gives up on the certificate: that is the point.
                with contextlib.suppress(OSError, ssl.SSLError):
                    self._answer(connection)

    def _answer(self, connection: socket.socket) -> None:
        while True:
            header = connection.recv(8, socket.MSG_WAITALL)
            if len(header) < 8:
                return
            _, code = struct.unpack("!II", header)
            if code == GSSENC_REQUEST:
                connection.sendall(b"N")
                continue
            if code != SSL_REQUEST:
                return
            connection.sendall(b"S")
            with self._context.wrap_socket(connection, server_side=True) as tls:
                tls.recv(1)
            return

    def close(self) -> None:
        self._stop.set()
        # Closing alone does not wake a thread blocked in accept() (it would sit out its timeout).
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._thread.join(timeout=10)
