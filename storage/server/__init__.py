"""The central PostgreSQL server: `init` runs the Alembic migrations, then the server SQL in this
package (the api schema, group roles, grants, row-level security, mutation and pull functions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from importlib import resources

import psycopg
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from domain.errors import first_line as first_line  # also what users.py uses
from storage import migrate
from storage.errors import StoreError
from storage.location import StoreLocation
from storage.store import describe_db_error, postgres_engine, upgrade_schema

GROUP_ROLES = ("advisor", "supervisor")
# Two inits at once (two admins, or a deploy script run twice) take turns.
_INIT_LOCK = 7_246_002


def sql_scripts() -> list[tuple[str, str]]:
    """The server SQL files in the order they run (by name), with their text."""
    folder = resources.files(__package__)
    names = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".sql"))
    return [(name, folder.joinpath(name).read_text(encoding="utf-8")) for name in names]


@dataclass(frozen=True)
class InitReport:
    database: str
    revision: str


def server_engine(location: StoreLocation) -> Engine:
    if location.is_sqlite:
        raise StoreError("the central server is PostgreSQL: give a postgresql:// URL")
    return postgres_engine(location)


def apply_server_sql(connection: Connection) -> None:
    """Run every server script in the connection's transaction (each is idempotent)."""
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _INIT_LOCK})
    driver = connection.connection.driver_connection
    assert driver is not None
    for name, script in sql_scripts():
        # The raw driver runs a whole script (several statements, dollar-quoted bodies) at once.
        try:
            driver.execute(script)
        except psycopg.Error as exc:
            raise StoreError(f"server init failed in {name}: {first_line(exc)}") from None


def is_initialised(connection: Connection) -> bool:
    found = connection.execute(
        text("SELECT to_regprocedure('api.apply_mutation(uuid, uuid, bigint, text, jsonb, timestamptz)')")
    ).scalar()
    return found is not None


def write_team_times(connection: Connection, teams: Sequence[tuple[str, str, int]]) -> None:
    """The teams file's (code, words, acknowledge hours) into api.team_acknowledge, replacing its rows."""
    for team, words, hours in teams:
        connection.execute(
            text(
                "INSERT INTO api.team_acknowledge (team, words, acknowledge_hours) VALUES (:t, :w, :h) "
                "ON CONFLICT (team) DO UPDATE "
                "SET words = EXCLUDED.words, acknowledge_hours = EXCLUDED.acknowledge_hours"
            ),
            {"t": team, "w": words, "h": hours},
        )


@dataclass(frozen=True)
class WorkingCalendar:
    """The workstations' working hours (console/working_time.py), which the server judges handoffs'
    acknowledge-by times by: opening and closing local time, the zone, and the bank holidays."""

    opens: time
    closes: time
    zone: str
    bank_holidays: tuple[tuple[date, str], ...]


def write_working_calendar(connection: Connection, calendar: WorkingCalendar) -> None:
    """`calendar` into api.working_hours and api.bank_holidays, replacing what they held."""
    connection.execute(
        text("UPDATE api.working_hours SET opens = :o, closes = :c, zone = :z WHERE id = 1"),
        {"o": calendar.opens, "c": calendar.closes, "z": calendar.zone},
    )
    connection.execute(text("DELETE FROM api.bank_holidays"))
    if calendar.bank_holidays:
        connection.execute(
            text("INSERT INTO api.bank_holidays (day, name) VALUES (:d, :n)"),
            [{"d": day, "n": name} for day, name in calendar.bank_holidays],
        )


def init_server(
    location: StoreLocation,
    teams: Sequence[tuple[str, str, int]] = (),
    calendar: WorkingCalendar | None = None,
) -> InitReport:
    """Create or upgrade the central schema; running it again changes nothing. `teams`: the
    acknowledge times of resources/teams.toml (code, words, hours) the server checks handoffs by;
    `calendar`: the working hours and bank holidays it counts them in."""
    engine = server_engine(location)
    try:
        upgrade_schema(engine, location)
        with engine.begin() as connection:
            privileged = connection.execute(
                text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
            ).scalar()
            if not privileged:
                raise StoreError(
                    "server init needs a superuser or a role with CREATEROLE (it creates the group roles)"
                )
            apply_server_sql(connection)
            write_team_times(connection, teams)
            if calendar is not None:
                write_working_calendar(connection, calendar)
    except DBAPIError as exc:
        raise StoreError(describe_db_error(location, exc)) from None
    finally:
        engine.dispose()
    return InitReport(location.describe(), migrate.head_revision())
