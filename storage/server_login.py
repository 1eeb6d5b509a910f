"""Sign in to the central server as a person: connect as their login role, read who they are.

Failures are sorted into kinds (wrong credentials, disabled, certificate, unreachable...) from what
libpq reports; the caller words them. The password goes to libpq as a keyword and nowhere else:
never into a URL, an exception or a log line.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import psycopg
from psycopg.conninfo import make_conninfo

from domain.vocabulary import Role

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 5  # libpq's shortest useful value is 2
APPLICATION_NAME = "advisor-console"

# The group roles of DESIGN.md "Security"; each person's login role is a member of one.
GROUP_ROLES = (Role.SUPERVISOR, Role.ADVISOR)


class LoginFailure(StrEnum):
    WRONG_CREDENTIALS = "wrong_credentials"
    ACCOUNT_DISABLED = "account_disabled"
    NOT_A_USER = "not_a_user"
    CERTIFICATE = "certificate"
    UNREACHABLE = "unreachable"
    NOT_SET_UP = "not_set_up"
    OTHER = "other"


class ServerLoginError(Exception):
    """Signing in failed; `kind` says how. The text is a kind name, never the server's own words."""

    def __init__(self, kind: LoginFailure) -> None:
        super().__init__(kind.value)
        self.kind = kind


@dataclass(frozen=True)
class ServerIdentity:
    """Who signed in, as the server knows them."""

    user_id: uuid.UUID
    username: str
    display_name: str
    role: Role


# libpq's words for each kind of connection failure (lower case; the first match wins).
_CONNECT_FAILURES: tuple[tuple[LoginFailure, tuple[str, ...]], ...] = (
    (
        LoginFailure.ACCOUNT_DISABLED,
        ("is not permitted to log in",),
    ),
    (
        LoginFailure.WRONG_CREDENTIALS,
        (
            "password authentication failed",
            "no password supplied",
            "authentication failed for user",
        ),
    ),
    (
        LoginFailure.CERTIFICATE,
        (
            "certificate verify failed",
            "certificate has expired",
            "server certificate for",
            "does not match host name",
            "root certificate file",
            "certificate is not yet valid",
            "self-signed certificate",
            "self signed certificate",
            "unable to get local issuer certificate",
        ),
    ),
    (
        LoginFailure.UNREACHABLE,
        (
            "connection refused",
            "could not translate host name",
            "name or service not known",
            "temporary failure in name resolution",
            "timeout expired",
            "no route to host",
            "network is unreachable",
            "no such file or directory",
            "connection timed out",
            "could not connect",
            "server closed the connection unexpectedly",
            "the database system is starting up",
            "the database system is shutting down",
        ),
    ),
    (
        LoginFailure.NOT_SET_UP,
        ("does not exist",),
    ),
)


def classify_connect_error(error: psycopg.Error) -> LoginFailure:
    """Which kind of failure libpq's message describes; OTHER when it is none we know."""
    text = str(error).casefold()
    for kind, phrases in _CONNECT_FAILURES:
        if any(phrase in text for phrase in phrases):
            # 'role "x" does not exist' (trust or md5 servers) is a wrong user name, not a missing database.
            if kind is LoginFailure.NOT_SET_UP and "role " in text:
                return LoginFailure.WRONG_CREDENTIALS
            return kind
    return LoginFailure.OTHER


def sign_in(server: Mapping[str, str], username: str, password: str) -> ServerIdentity:
    """Connect to `server` (libpq keywords) as `username`; the active app user it is, or ServerLoginError."""
    if not username or not password:
        raise ServerLoginError(LoginFailure.WRONG_CREDENTIALS)
    try:
        connection = psycopg.connect(
            make_conninfo("", **server),
            user=username,
            password=password,
            passfile=os.devnull,  # never fall back to a ~/.pgpass entry
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            application_name=APPLICATION_NAME,
            options=f"-c statement_timeout={CONNECT_TIMEOUT_SECONDS * 1000}",
            autocommit=True,
        )
    except psycopg.Error as exc:
        kind = classify_connect_error(exc)
        # Only the kind: libpq's words name the user, and people do type a password into the name field.
        log.info("a sign-in to %s failed: %s", server.get("host"), kind.value)
        raise ServerLoginError(kind) from None
    try:
        with connection:
            return _identity(connection)
    except psycopg.errors.UndefinedTable:
        raise ServerLoginError(LoginFailure.NOT_SET_UP) from None
    except psycopg.errors.InsufficientPrivilege:
        raise ServerLoginError(LoginFailure.NOT_SET_UP) from None
    except psycopg.OperationalError:
        raise ServerLoginError(LoginFailure.UNREACHABLE) from None
    except psycopg.Error as exc:
        log.info("a sign-in could not read its user: %s", type(exc).__name__)
        raise ServerLoginError(LoginFailure.OTHER) from None


def _identity(connection: psycopg.Connection[tuple[object, ...]]) -> ServerIdentity:
    groups = {
        str(row[0])
        for row in connection.execute(
            """
            SELECT g.rolname
            FROM pg_catalog.pg_auth_members m
            JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
            JOIN pg_catalog.pg_roles u ON u.oid = m.member
            WHERE u.rolname = session_user AND g.rolname = ANY(%s)
            """,
            ([role.value for role in GROUP_ROLES],),
        )
    }
    role = next((role for role in GROUP_ROLES if role.value in groups), None)
    if role is None:  # a login role of some other application on the same server
        raise ServerLoginError(LoginFailure.NOT_A_USER)
    row = connection.execute(
        "SELECT id, username, display_name, active FROM users WHERE username = session_user"
    ).fetchone()
    if row is None:
        raise ServerLoginError(LoginFailure.NOT_A_USER)
    user_id, username, display_name, active = row
    if not active:
        raise ServerLoginError(LoginFailure.ACCOUNT_DISABLED)
    if not isinstance(user_id, uuid.UUID):
        user_id = uuid.UUID(str(user_id))
    return ServerIdentity(user_id=user_id, username=str(username), display_name=str(display_name), role=role)


def server_reachable(server: Mapping[str, str], timeout: float = 2.0) -> bool:
    """Whether something listens where the server should be (no sign-in, so no failed attempt logged)."""
    host = server.get("host", "")
    port = int(server.get("port", "5432"))
    try:
        if host.startswith("/"):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                probe.settimeout(timeout)
                probe.connect(os.path.join(host, f".s.PGSQL.{port}"))  # noqa: PTH118
        else:
            with socket.create_connection((host, port), timeout=timeout):
                pass
    except OSError:
        return False
    return True
