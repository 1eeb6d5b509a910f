"""What every console login role gets on the server: timeouts that bound how long one session may hold
a lock or sit in an open transaction, and no statement logging (a password typed into ALTER ROLE would
otherwise land in the server's log). Set by `user add` and, for every existing login, `server init`."""

from __future__ import annotations

from psycopg import sql
from sqlalchemy import Connection, text

# Each login's own settings (a group role's settings do not reach its members).
TIMEOUTS: dict[str, str] = {
    "statement_timeout": "15s",  # api.longest_hold() (20_audit.sql) is the same
    "lock_timeout": "10s",
    "idle_in_transaction_session_timeout": "10s",
}
# Superuser-only settings: set when the administrator may set them (a superuser, or PostgreSQL 15's
# GRANT SET ON PARAMETER); docs/security.md says what a server needs otherwise.
QUIET: dict[str, str] = {
    "log_statement": "none",
    "log_min_error_statement": "panic",
    "log_min_duration_statement": "-1",
    "log_min_duration_sample": "-1",
    # Bound parameters (a pooled session's token among them) are never written with an error.
    "log_parameter_max_length": "0",
    "log_parameter_max_length_on_error": "0",
}


def settings(connection: Connection) -> dict[str, str]:
    """The settings this administrator can give a login: the timeouts, and the quiet log if allowed."""
    given = dict(TIMEOUTS)
    superuser = connection.execute(
        text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    ).scalar()
    granted = int(str(connection.execute(text("SHOW server_version_num")).scalar())) >= 150000
    for name, value in QUIET.items():
        if superuser or (
            granted
            and connection.execute(
                text("SELECT has_parameter_privilege(:name, 'SET')"), {"name": name}
            ).scalar()
        ):
            given[name] = value
    return given


def apply(connection: Connection, username: str, given: dict[str, str]) -> None:
    """ALTER ROLE ... SET each of `given` for the login, in the connection's transaction."""
    driver = connection.connection.driver_connection
    assert driver is not None
    for name, value in given.items():
        driver.execute(
            sql.SQL("ALTER ROLE {} SET {} = {}").format(
                sql.Identifier(username), sql.Identifier(name), sql.Literal(value)
            )
        )


def logins(connection: Connection) -> list[str]:
    """Every login role in a console group role, and the pooler's shared login (the names `server
    init` gives the settings)."""
    return list(
        connection.execute(
            text(
                "SELECT DISTINCT m.rolname FROM pg_auth_members a "
                "JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member "
                "WHERE g.rolname IN ('advisor', 'supervisor') AND m.rolcanlogin "
                "UNION SELECT rolname FROM pg_roles WHERE rolname = 'console_gateway' ORDER BY 1"
            )
        ).scalars()
    )
