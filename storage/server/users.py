"""Console users on the central server: a PostgreSQL login role in its group role plus the users
row the server functions read (role, limit, active), kept together; each change is audited and
published in the change log, so it reaches every workstation's pull."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import psycopg
import uuid6
from psycopg import sql
from sqlalchemy import Connection, Engine, insert, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from domain.records import UserRecord
from domain.vocabulary import Role, Team
from storage import audit
from storage.errors import StoreError
from storage.location import StoreLocation
from storage.models import User
from storage.server import GROUP_ROLES, first_line, is_initialised, login_roles, server_engine
from storage.server.scram import password_problem, scram_verifier

NAME_PATTERN = re.compile(r"[a-z_][a-z0-9_.]{0,62}")
RESERVED = {*GROUP_ROLES, "public", "postgres", "none", "current_user", "session_user", "current_role"}
MAX_LIMIT_PENCE = 1_000_000


class UserAdminError(StoreError):
    """The user cannot be added or changed; the message says why."""


def check_username(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name):
        raise UserAdminError(
            f"{name[:70]!r} cannot be a login name: use lower-case letters, digits, '_' or '.', "
            "starting with a letter, at most 63 characters"
        )
    if name in RESERVED or name.startswith("pg_"):
        raise UserAdminError(f"{name!r} is reserved: choose another login name")
    return name


def check_limit(pence: int) -> int:
    if not 0 <= pence <= MAX_LIMIT_PENCE:
        raise UserAdminError("the goodwill limit must be between £0.00 and £10,000.00")
    return pence


def check_password(password: str) -> str:
    problem = password_problem(password)
    if problem is not None:
        raise UserAdminError(problem)
    return password


def _run(
    target: StoreLocation | Engine,
    work: Callable[[Connection], UserRecord],
    after: Callable[[Connection], None] | None = None,
) -> UserRecord:
    """Run `work(connection)` in one transaction on an initialised server, then `after` in another
    once that has committed; one-line errors.

    `target` is the server's URL, or an engine already connected to it (left open).
    """
    engine = target if isinstance(target, Engine) else server_engine(target)
    where = target.describe() if isinstance(target, StoreLocation) else "this database"
    try:
        with engine.begin() as connection:
            if not is_initialised(connection):
                raise UserAdminError(
                    f"{where} is not a console server yet: run `advisor-console server init`"
                )
            done = work(connection)
        if after is not None:
            with engine.begin() as connection:
                after(connection)
        return done
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise UserAdminError(f"{where}: {reason}") from None
    finally:
        if engine is not target:
            engine.dispose()


def _admin_name(connection: Connection) -> str:
    return str(connection.execute(text("SELECT session_user")).scalar())


def _user(connection: Connection, username: str) -> UserRecord | None:
    row = connection.execute(
        text(
            "SELECT id, username, display_name, role, team, goodwill_limit_pence, active "
            "FROM users WHERE username = :name"
        ),
        {"name": username},
    ).one_or_none()
    if row is None:
        return None
    return UserRecord(row[0], row[1], row[2], Role(row[3]), Team(row[4]), row[5], row[6])


def _role_exists(connection: Connection, username: str) -> bool:
    return bool(
        connection.execute(
            text("SELECT count(*) FROM pg_roles WHERE rolname = :name"), {"name": username}
        ).scalar()
    )


def _ddl(connection: Connection, statement: sql.Composable) -> None:
    driver = connection.connection.driver_connection
    assert driver is not None
    try:
        driver.execute(statement)
    except psycopg.Error as exc:
        # The driver's message only: the statement may hold the password verifier.
        raise UserAdminError(first_line(exc)) from None


def add_user(
    location: StoreLocation | Engine,
    username: str,
    *,
    role: Role,
    limit_pence: int,
    password: str,
    display_name: str | None = None,
    team: Team = Team.FRONT_LINE,
) -> UserRecord:
    check_username(username)
    check_limit(limit_pence)
    check_password(password)
    shown = (display_name or username).strip()
    if not shown or len(shown) > 120:
        raise UserAdminError("the display name must be 1 to 120 characters")

    def work(connection: Connection) -> UserRecord:
        if _role_exists(connection, username):
            raise UserAdminError(f"a PostgreSQL role named {username!r} already exists on this server")
        if _user(connection, username) is not None:
            raise UserAdminError(f"a console user named {username!r} already exists in this database")
        verifier = scram_verifier(password)
        _ddl(
            connection,
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
                sql.Identifier(username), sql.Literal(verifier), sql.Identifier(role.value)
            ),
        )
        _remember_verifier(connection, username, verifier)
        try:
            login_roles.apply(connection, username, login_roles.settings(connection))
        except psycopg.Error as exc:
            raise UserAdminError(first_line(exc)) from None
        now = datetime.now(UTC)
        user_id = uuid.UUID(bytes=uuid6.uuid7().bytes)
        connection.execute(
            insert(User).values(
                id=user_id,
                username=username,
                display_name=shown,
                role=role,
                team=team,
                goodwill_limit_pence=limit_pence,
                active=True,
                created_at=now,
            )
        )
        _publish(connection, user_id)
        _audit(
            connection,
            now,
            "user.add",
            user_id,
            {"username": username, "role": role.value, "limit_pence": limit_pence, "team": team.value},
        )
        made = _user(connection, username)
        assert made is not None
        return made

    return _run(location, work)


def add_login_for(
    location: StoreLocation | Engine,
    existing: str,
    username: str,
    *,
    password: str,
    display_name: str | None = None,
) -> UserRecord:
    """A login named `username` for the console user `existing` already in the database (the demo
    data's `advisor`, whose name is a group role's): the user keeps its id, so the work it owns stays
    its own."""
    check_username(username)
    if not password:
        raise UserAdminError("the password is empty")

    def work(connection: Connection) -> UserRecord:
        found = _user(connection, existing)
        if found is None:
            raise UserAdminError(f"there is no console user named {existing!r} in this database")
        if _role_exists(connection, username):
            raise UserAdminError(f"a PostgreSQL role named {username!r} already exists on this server")
        if _user(connection, username) is not None:
            raise UserAdminError(f"a console user named {username!r} already exists in this database")
        _ddl(
            connection,
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
                sql.Identifier(username),
                sql.Literal(scram_verifier(password)),
                sql.Identifier(found.role.value),
            ),
        )
        connection.execute(
            text("UPDATE users SET username = :name, display_name = :shown WHERE id = :id"),
            {"name": username, "shown": (display_name or found.display_name).strip(), "id": found.id},
        )
        _publish(connection, found.id)
        _audit(connection, datetime.now(UTC), "user.add", found.id, {"username": username, "was": existing})
        made = _user(connection, username)
        assert made is not None
        return made

    return _run(location, work)


def set_limit(location: StoreLocation | Engine, username: str, limit_pence: int) -> UserRecord:
    check_limit(limit_pence)

    def work(connection: Connection) -> UserRecord:
        before = _existing(connection, username)
        connection.execute(
            text("UPDATE users SET goodwill_limit_pence = :limit WHERE id = :id"),
            {"limit": limit_pence, "id": before.id},
        )
        _publish(connection, before.id)
        _audit(
            connection,
            datetime.now(UTC),
            "user.set_limit",
            before.id,
            {"username": username, "from_pence": before.goodwill_limit_pence, "to_pence": limit_pence},
        )
        after = _user(connection, username)
        assert after is not None
        return after

    return _run(location, work)


def set_password(location: StoreLocation | Engine, username: str, password: str) -> UserRecord:
    """A new password for the login, by the rules, sent as a SCRAM verifier and audited (never the
    password itself); the verifier is remembered, so one set any other way is refused at sign-in."""
    check_password(password)

    def work(connection: Connection) -> UserRecord:
        before = _existing(connection, username)
        if not _role_exists(connection, username):
            raise UserAdminError(f"{username!r} has no PostgreSQL login on this server")
        verifier = scram_verifier(password)
        _ddl(
            connection,
            sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(username), sql.Literal(verifier)),
        )
        _remember_verifier(connection, username, verifier)
        _end_pooled_sessions(connection, username)  # one opened with the old password ends too
        _audit(connection, datetime.now(UTC), "user.set_password", before.id, {"username": username})
        return before

    return _run(location, work)


# Sessions are ended again after the commit: a connection opened while the disable was committing
# authenticated before NOLOGIN was visible, and the one ended inside the transaction missed it.
_END_ROUNDS = 20


def disable_user(location: StoreLocation | Engine, username: str) -> UserRecord:
    """No more logins (NOLOGIN), inactive for the server functions and row-level security (a session
    that survives reads nothing), and open sessions ended, again once that is committed."""

    def work(connection: Connection) -> UserRecord:
        before = _existing(connection, username)
        if _role_exists(connection, username):
            _ddl(connection, sql.SQL("ALTER ROLE {} NOLOGIN").format(sql.Identifier(username)))
        connection.execute(text("UPDATE users SET active = false WHERE id = :id"), {"id": before.id})
        _end_pooled_sessions(connection, username)
        _end_sessions(connection, username)
        _publish(connection, before.id)
        _audit(connection, datetime.now(UTC), "user.disable", before.id, {"username": username})
        after = _user(connection, username)
        assert after is not None
        return after

    def end_sessions(connection: Connection) -> None:
        _end_pooled_sessions(connection, username)  # one opened while the disable was committing
        for _ in range(_END_ROUNDS):
            if not _end_sessions(connection, username):
                return

    return _run(location, work, end_sessions)


def _end_pooled_sessions(connection: Connection, username: str) -> None:
    """Forget the login's pooled sessions (storage/server/28_pooled_sessions.sql)."""
    connection.execute(text("DELETE FROM api.sessions WHERE username = :name"), {"name": username})


def _end_sessions(connection: Connection, username: str) -> int:
    """Terminate the login's sessions; how many there were."""
    return len(
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE usename = :name AND pid <> pg_backend_pid()"
            ),
            {"name": username},
        ).all()
    )


def _remember_verifier(connection: Connection, username: str, verifier: str) -> None:
    connection.execute(
        text(
            "INSERT INTO api.login_verifier (username, verifier_sha256) VALUES (:name, :digest) "
            "ON CONFLICT (username) DO UPDATE SET verifier_sha256 = EXCLUDED.verifier_sha256"
        ),
        {"name": username, "digest": hashlib.sha256(verifier.encode("utf-8")).hexdigest()},
    )


def _existing(connection: Connection, username: str) -> UserRecord:
    found = _user(connection, username)
    if found is None:
        raise UserAdminError(f"no console user named {username!r} in this database")
    return found


def _publish(connection: Connection, user_id: uuid.UUID) -> None:
    """The user's row as it now stands, into the change log (numbered at commit, for everyone: names,
    roles and limits are what every console role reads, docs/sync.md)."""
    connection.execute(
        text(
            "SELECT api.record_change('user', u.id, NULL, NULL, to_jsonb(u), NULL) "
            "FROM public.users AS u WHERE u.id = :id"
        ),
        {"id": user_id},
    )


def _audit(
    connection: Connection, at: datetime, action: str, user_id: uuid.UUID, detail: dict[str, object]
) -> None:
    with Session(bind=connection) as session:
        audit.append(
            session,
            at=at,
            actor=_admin_name(connection),
            action=action,
            entity="user",
            entity_id=user_id,
            detail=detail,
        )
