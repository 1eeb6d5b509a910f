"""Bulk loading: write batches of plain row dicts fast, one transaction per chunk, parents before
children. SQLite: converted tuples to the driver's executemany, tuned for the load and restored
after; PostgreSQL (psycopg): COPY; anything else, or rows leaving columns to defaults: Core."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, NamedTuple, Self

from sqlalchemy import Boolean, Connection, Engine, Enum, Table, func, insert, select
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import Dialect

from storage.models import Base
from storage.plain import sqlite_datetime
from storage.types import UTCDateTime

Converter = Callable[[Any], Any]

CHUNK_ROWS = 50_000
# SQLite page cache during a load, in KiB (negative pragma value): big enough that the indexes
# of a few million rows stay in memory.
SQLITE_LOAD_CACHE_KIB = 1024 * 1024

RowBatch = Mapping[str, Sequence[Mapping[str, Any]]]
TABLE_ORDER = tuple(t.name for t in Base.metadata.sorted_tables)  # parents before children


class Prepared(NamedTuple):
    """One table's rows as the SQLite driver takes them: plain, picklable, ready to execute."""

    table: str
    sql: str
    params: list[tuple[Any, ...]]


def table(name: str) -> Table:
    try:
        return Base.metadata.tables[name]
    except KeyError:
        raise ValueError(f"no table named {name!r}") from None


def count_rows(engine: Engine, table_name: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table(table_name))).scalar_one())


class BulkLoader:
    """Collects row batches and writes them in chunks of about `chunk_rows` rows.

    Each chunk is one transaction that inserts its tables in foreign-key order, so a batch may
    hold a customer and its cases and events together. A failure loses only the chunk being
    written: earlier chunks stay committed. Use as a context manager; leaving it without an
    error writes what is still buffered.
    """

    def __init__(
        self, engine: Engine, *, chunk_rows: int | None = None, check_foreign_keys: bool = True
    ) -> None:
        if chunk_rows is not None and chunk_rows < 1:
            raise ValueError("chunk_rows must be positive")
        self.engine = engine
        self.chunk_rows = chunk_rows or CHUNK_ROWS
        self.check_foreign_keys = check_foreign_keys
        self.written: dict[str, int] = {}
        self._buffer: dict[str, list[Mapping[str, Any]]] = {}
        self._buffered = 0
        self._connection: Connection | None = None
        self._saved_pragmas: dict[str, Any] = {}

    def __enter__(self) -> Self:
        self._connection = self.engine.connect()
        if self.engine.dialect.name == "sqlite":
            self._tune_sqlite(self._connection)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        connection = self._connection
        assert connection is not None
        try:
            if exc_type is None:
                self.flush()
        finally:
            self._buffer.clear()
            self._buffered = 0
            try:
                if self._saved_pragmas:
                    self._restore_sqlite(connection)
            finally:
                connection.close()
                self._connection = None

    def add(self, batch: RowBatch) -> None:
        """Buffer rows by table name; write a chunk once enough rows are waiting."""
        for name, rows in batch.items():
            if not rows:
                continue
            if name not in Base.metadata.tables:
                raise ValueError(f"no table named {name!r}")
            self._buffer.setdefault(name, []).extend(rows)
            self._buffered += len(rows)
        if self._buffered >= self.chunk_rows:
            self.flush()

    def flush(self) -> None:
        """Write everything buffered in one transaction, parents before children."""
        if not self._buffered:
            return
        connection = self._connection
        if connection is None:
            raise RuntimeError("BulkLoader used outside its `with` block")
        dialect = connection.dialect
        with connection.begin():
            for name in TABLE_ORDER:
                rows = self._buffer.pop(name, None)
                if not rows:
                    continue
                target = table(name)
                if not names_every_column(name, rows[0]):
                    connection.execute(insert(target), rows)  # Core fills column defaults
                elif dialect.name == "sqlite":
                    sql, params = sqlite_parameters(target, rows, dialect)
                    connection.exec_driver_sql(sql, params)
                elif dialect.name == "postgresql" and dialect.driver == "psycopg":
                    copy_postgres(connection, target, rows)
                else:
                    connection.execute(insert(target), rows)
                self.written[name] = self.written.get(name, 0) + len(rows)
        self._buffered = 0

    def write_prepared(self, chunk: Sequence[Prepared]) -> None:
        """Write rows made by `prepare_sqlite` (possibly in another process) in one transaction."""
        connection = self._connection
        if connection is None:
            raise RuntimeError("BulkLoader used outside its `with` block")
        if connection.dialect.name != "sqlite":
            raise ValueError("prepared rows are for SQLite stores only")
        self.flush()
        with connection.begin():
            for prepared in sorted(chunk, key=lambda p: TABLE_ORDER.index(p.table)):
                if prepared.params:
                    connection.exec_driver_sql(prepared.sql, prepared.params)
                self.written[prepared.table] = self.written.get(prepared.table, 0) + len(prepared.params)

    # SQLite: no fsync per commit and a large page cache while loading. A crash mid-load can
    # lose the last chunks, never corrupt the file that WAL mode protects; the store's own
    # settings come back when the load ends.
    def _tune_sqlite(self, connection: Connection) -> None:
        if connection.in_transaction():
            connection.commit()  # foreign_keys cannot change inside a transaction
        for pragma in ("synchronous", "cache_size", "temp_store", "foreign_keys"):
            self._saved_pragmas[pragma] = connection.exec_driver_sql(f"PRAGMA {pragma}").scalar()
        connection.exec_driver_sql("PRAGMA synchronous=OFF")
        connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_LOAD_CACHE_KIB}")
        connection.exec_driver_sql("PRAGMA temp_store=MEMORY")
        if not self.check_foreign_keys:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()

    def _restore_sqlite(self, connection: Connection) -> None:
        if connection.in_transaction():
            connection.rollback()
        for pragma, value in self._saved_pragmas.items():
            connection.exec_driver_sql(f"PRAGMA {pragma}={int(value)}")
        connection.commit()
        self._saved_pragmas.clear()


def sqlite_converter(column_type: Any, dialect: Dialect) -> Converter | None:
    """How a column's Python value becomes what SQLite stores, or None when it goes as it is."""
    if isinstance(column_type, UTCDateTime):
        return sqlite_datetime
    if isinstance(column_type, Enum | Boolean):
        # Strings (enum values) and bools bind natively; the table's CHECK constraints
        # still validate the enum values.
        return None
    processor: Converter | None = column_type.dialect_impl(dialect).bind_processor(dialect)
    return processor


def sqlite_parameters(
    target: Table, rows: Sequence[Mapping[str, Any]], dialect: Dialect
) -> tuple[str, list[tuple[Any, ...]]]:
    """The INSERT statement with positional parameters and the rows as converted tuples.

    SQLAlchemy's per-row parameter processing costs tens of microseconds a row; converting
    column by column with the same bind rules and handing tuples to the driver does not.
    """
    names = list(target.columns.keys())
    columns: list[Iterable[Any]] = []
    for name in names:
        values = [row[name] for row in rows]
        converter = sqlite_converter(target.columns[name].type, dialect)
        columns.append(values if converter is None else map(converter, values))
    statement = insert(target).compile(dialect=dialect, column_keys=names)
    positions = statement.positiontup or []
    if positions != names:
        raise RuntimeError(f"unexpected parameter order for {target.name}: {positions}")
    return str(statement), list(zip(*columns, strict=True))


def copy_postgres(connection: Connection, target: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """COPY the rows in, inside the connection's transaction: far faster than INSERTs.

    Values go through the columns' own bind processors first (enum members to their values,
    times checked for a time zone), then psycopg adapts them as for a query.
    """
    dialect = connection.dialect
    names = list(target.columns.keys())
    converters = [target.columns[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    quote = dialect.identifier_preparer
    statement = f"COPY {quote.format_table(target)} ({', '.join(quote.quote(n) for n in names)}) FROM STDIN"
    columns = [
        [row[name] for row in rows] if converter is None else [converter(row[name]) for row in rows]
        for name, converter in zip(names, converters, strict=True)
    ]
    driver_connection: Any = connection.connection.driver_connection
    with driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for values in zip(*columns, strict=True):
            copy.write_row(values)


def names_every_column(table_name: str, row: Mapping[str, Any]) -> bool:
    return set(row) == set(table(table_name).columns.keys())


def prepare_sqlite(batch: RowBatch) -> list[Prepared]:
    """Convert row dicts for the SQLite driver, tables in foreign-key order.

    Needs no database, so it can run in a worker process while the loader writes; every row
    must name every column of its table (nothing is left to column defaults).
    """
    dialect = SQLiteDialect_pysqlite()
    chunk: list[Prepared] = []
    for name in TABLE_ORDER:
        rows = batch.get(name)
        if not rows:
            continue
        if not names_every_column(name, rows[0]):
            raise ValueError(f"rows for {name} must name every column to be prepared")
        sql, params = sqlite_parameters(table(name), rows, dialect)
        chunk.append(Prepared(name, sql, params))
    unknown = set(batch) - set(TABLE_ORDER)
    if unknown:
        raise ValueError(f"no table named {sorted(unknown)[0]!r}")
    return chunk


def insert_rows(
    engine: Engine,
    table_name: str,
    rows: Iterable[Mapping[str, Any]],
    *,
    chunk_rows: int | None = None,
) -> int:
    """Insert rows into one table in chunks; return how many were written."""
    with BulkLoader(engine, chunk_rows=chunk_rows) as loader:
        chunk: list[Mapping[str, Any]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= loader.chunk_rows:
                loader.add({table_name: chunk})
                chunk = []
        loader.add({table_name: chunk})
    return loader.written.get(table_name, 0)
