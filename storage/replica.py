"""Records pulled from the central server written into the workstation's tables: JSON values turned
back into column types, upserted by entity name, append-only facts inserted once, never deleted."""

from __future__ import annotations

import contextlib
import enum
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import Boolean, Column, Date, Enum, Integer, Table, Uuid, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import (
    AccountOwnerChange,
    Case,
    CaseOwnerChange,
    ContactEvent,
    Customer,
    CustomerDetailChange,
    CustomerPhone,
    Feedback,
    Goodwill,
    Handoff,
    Offer,
    OfferImpression,
    Promise,
    User,
)
from storage.models.base import Base
from storage.types import UTCDateTime

# The server's entity names, in the order a page applies them (parents before the rows that name
# them). Contact events are append-only (a trigger refuses UPDATE): inserted once, never updated.
# The first sync (api.snapshot_entities) takes them in this order too.
ENTITIES: dict[str, type[Base]] = {
    "user": User,
    "customer": Customer,
    "customer_phone": CustomerPhone,
    "account_owner_change": AccountOwnerChange,
    "case": Case,
    "case_owner_change": CaseOwnerChange,
    "goodwill": Goodwill,
    "promise": Promise,
    "handoff": Handoff,
    "contact_event": ContactEvent,
    "offer": Offer,
    "offer_impression": OfferImpression,
    "feedback": Feedback,
    "customer_detail_change": CustomerDetailChange,
}
APPEND_ONLY = frozenset({"contact_event", "customer_detail_change"})
_CHUNK = 500


class ReplicaError(ValueError):
    """A pulled record that cannot be turned into a row (a value of the wrong type)."""


@dataclass
class ApplyReport:
    applied: int = 0
    held_back: int = 0  # the record has mutations still in the outbox: the pull leaves it alone
    not_held: int = 0  # names a customer, user or case this workstation does not hold
    unknown: int = 0  # an entity this version of the console does not keep
    skipped_ids: list[uuid.UUID] = field(default_factory=list)


def table_for(entity: str) -> Table | None:
    model = ENTITIES.get(entity)
    return model.__table__ if model is not None else None  # type: ignore[return-value]


Convert = Callable[[Any], Any]


def _to_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else _parse_uuid(str(value))


@lru_cache(maxsize=4096)
def _parse_uuid(text: str) -> uuid.UUID:
    """A page names the same customers and advisors over and over: parse each spelling once."""
    return uuid.UUID(text)


def _to_utc(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _to_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _to_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{value!r} is not true or false")
    return value


def _to_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{value!r} is not a whole number")
    return value


def _as_is(value: Any) -> Any:
    return value


def converter(column: Column[Any]) -> Convert:
    """How a JSON value (as PostgreSQL's to_jsonb wrote it) becomes the column's Python type."""
    kind = column.type
    if isinstance(kind, Uuid):
        return _to_uuid
    if isinstance(kind, UTCDateTime):
        return _to_utc
    if isinstance(kind, Date):
        return _to_date
    if isinstance(kind, Enum) and kind.enum_class is not None:
        members: type[enum.Enum] = kind.enum_class
        return members
    if isinstance(kind, Boolean):
        return _to_bool
    if isinstance(kind, Integer):
        return _to_int
    return _as_is


@cache
def _converters(table: Table) -> tuple[tuple[str, Convert], ...]:
    return tuple((column.name, converter(column)) for column in table.columns)


def row_values(table: Table, data: Mapping[str, Any]) -> dict[str, Any]:
    """The columns the record carries, converted; keys the table does not have are ignored."""
    values: dict[str, Any] = {}
    name = ""
    try:
        for name, convert in _converters(table):
            if name in data:
                value = data[name]
                values[name] = None if value is None else convert(value)
    except (TypeError, ValueError) as exc:
        raise ReplicaError(f"{table.name}.{name}: {exc}") from None
    return values


def _existing(session: Session, table: Table, ids: set[uuid.UUID]) -> set[uuid.UUID]:
    found: set[uuid.UUID] = set()
    key = table.c.id
    ordered = list(ids)
    for start in range(0, len(ordered), _CHUNK):
        found.update(session.execute(select(key).where(key.in_(ordered[start : start + _CHUNK]))).scalars())
    return found


def _missing_parents(session: Session, table: Table, rows: list[dict[str, Any]]) -> set[int]:
    """Indexes of rows naming a parent row (by foreign key) this store does not hold, counting the
    page's own rows as held when the key points into the same table (a follow-up promise)."""
    refused: set[int] = set()
    for constraint in table.foreign_key_constraints:
        column = constraint.columns[0]
        target = constraint.referred_table
        wanted = {row[column.name] for row in rows if row.get(column.name) is not None}
        if not wanted:
            continue
        held = _existing(session, target, wanted)
        if target is table:
            held |= {row["id"] for row in rows}
        refused.update(
            index
            for index, row in enumerate(rows)
            if row.get(column.name) is not None and row[column.name] not in held
        )
    return refused


def _named_first(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows that name another row of the same table (a promise its follow-up) after the row they
    name: the statements check foreign keys one row at a time."""
    columns = [c.columns[0].name for c in table.foreign_key_constraints if c.referred_table is table]
    if not columns:
        return rows
    by_id = {row["id"]: row for row in rows}
    ordered: list[dict[str, Any]] = []
    placed: set[uuid.UUID] = set()
    for row in rows:
        chain: list[dict[str, Any]] = []
        step: dict[str, Any] | None = row
        while step is not None and step["id"] not in placed:
            placed.add(step["id"])
            chain.append(step)
            step = next((by_id[v] for name in columns if (v := step.get(name)) in by_id), None)
        ordered.extend(reversed(chain))
    return ordered


def _upsert(session: Session, table: Table, rows: list[dict[str, Any]], append_only: bool) -> None:
    dialect = session.get_bind().dialect.name
    builder = sqlite.insert if dialect == "sqlite" else postgresql.insert
    by_keys: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        by_keys.setdefault(tuple(sorted(row)), []).append(row)
    for keys, group in by_keys.items():
        statement = builder(table)
        if append_only:
            statement = statement.on_conflict_do_nothing(index_elements=["id"])
        else:
            statement = statement.on_conflict_do_update(
                index_elements=["id"],
                set_={name: statement.excluded[name] for name in keys if name != "id"},
            )
        session.execute(statement, group)


def held_ids(session: Session, entity: str, ids: Iterable[str]) -> set[str]:
    """Which of `ids` (as records spell them) this store holds as rows of `entity`. On SQLite one
    statement with the ids as one JSON array, compared as the 32 hex digits the store holds: no
    UUID parsed or bound one by one (a push asks this for every page of answers)."""
    table = table_for(entity)
    connection = session.connection()
    if connection.dialect.name == "sqlite" and table is not None:
        stored = {str(raw).replace("-", "").lower(): raw for raw in ids}
        found = connection.exec_driver_sql(
            f"SELECT id FROM {table.name} WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(stored)),),
        )
        return {stored[value] for (value,) in found if value in stored}
    spelled: dict[uuid.UUID, str] = {}
    for raw in ids:
        with contextlib.suppress(ValueError):
            spelled[uuid.UUID(raw)] = raw
    if not spelled or table is None:
        return set()
    return {spelled[found] for found in _existing(session, table, set(spelled))}


def _held_facts(session: Session, records: list[tuple[str, Mapping[str, Any]]]) -> set[str]:
    """The ids (as the records spell them) of append-only records this store already holds: a
    push's answers bring back the facts the workstation wrote, and skipping them saves converting
    and inserting each for nothing."""
    held: set[str] = set()
    for entity in APPEND_ONLY:
        named = [raw for kind, data in records if kind == entity and isinstance(raw := data.get("id"), str)]
        held |= held_ids(session, entity, named)
    return held


def _defer_foreign_keys(session: Session) -> None:
    """Rows of a page may name each other in any order (a closed promise before its follow-up):
    foreign keys are checked at commit. SQLite switches `defer_foreign_keys` off at the end of every
    transaction, and Python's sqlite3 opens one only at the first INSERT/UPDATE/DELETE, so a pull
    page whose unit of work began with reads would have it switched off again by the next read:
    the transaction is begun here first."""
    connection = session.connection()
    driver = connection.connection.driver_connection
    if driver is not None and not driver.in_transaction:
        connection.exec_driver_sql("BEGIN")
    connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")


def apply_records(
    session: Session,
    records: Iterable[tuple[str, Mapping[str, Any]]],
    protected: set[uuid.UUID],
    *,
    facts_held: bool = False,
) -> ApplyReport:
    """Write (entity, data) records in the caller's transaction, later ones winning.

    A record whose id is in `protected` (it has mutations still in the outbox) is left alone, and
    so is one naming a parent this workstation does not hold. Deletes are soft: a record carries
    its `deleted` flag like any other column, and no row is ever removed. `facts_held`: the
    append-only records may be here already (a push's answers; a pull bringing back what this
    workstation wrote), so look them up first (one query a page) and skip those found.
    """
    report = ApplyReport()
    if session.get_bind().dialect.name == "sqlite":
        _defer_foreign_keys(session)
    latest: dict[str, dict[uuid.UUID, dict[str, Any]]] = {}
    records = list(records)
    held = _held_facts(session, records) if facts_held else set()
    for entity, data in records:
        table = table_for(entity)
        if table is None:
            report.unknown += 1
            continue
        if entity in APPEND_ONLY and (spelled := data.get("id")) in held:
            if _parse_uuid(str(spelled)) in protected:
                report.held_back += 1
                report.skipped_ids.append(_parse_uuid(str(spelled)))
            else:
                report.applied += 1  # inserted once, never updated: already here is applied
            continue
        values = row_values(table, data)
        row_id = values.get("id")
        if not isinstance(row_id, uuid.UUID):
            raise ReplicaError(f"a {entity} record without an id")
        if row_id in protected:
            report.held_back += 1
            report.skipped_ids.append(row_id)
            continue
        by_id = latest.setdefault(entity, {})
        by_id.pop(row_id, None)  # the later record wins, in its later place
        by_id[row_id] = values
    for entity in ENTITIES:
        if entity not in latest:
            continue
        table = table_for(entity)
        assert table is not None
        page = list(latest[entity].values())
        refused = _missing_parents(session, table, page)
        if refused:
            report.not_held += len(refused)
            report.skipped_ids.extend(page[index]["id"] for index in sorted(refused))
            page = [row for index, row in enumerate(page) if index not in refused]
        if page:
            _upsert(session, table, _named_first(table, page), entity in APPEND_ONLY)
            report.applied += len(page)
    return report
