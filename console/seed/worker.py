"""Generate and prepare the rows in a child Python process, so that on two cores SQLite writes one
chunk while the next is generated (threads would only take turns holding the GIL).

The child is `python -m console.seed.worker`; it writes pickled chunks to its stdout."""

from __future__ import annotations

import gc
import os
import pickle
import subprocess
import sys
import traceback
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from console.seed.generator import generate
from storage import bulk

Chunk = tuple[list[bulk.Prepared], int]  # prepared tables, customers generated so far


def prepared_chunks(
    customers: int, *, seed: int, now: datetime, chunk_rows: int, batch_customers: int
) -> Iterator[Chunk]:
    """The generator's batches gathered into chunks of about `chunk_rows` rows, prepared."""
    pending: dict[str, list[Any]] = {}
    waiting = 0
    done = 0
    for rows, done in generate(customers, seed=seed, now=now, batch_customers=batch_customers):
        for name, table_rows in rows.tables().items():
            pending.setdefault(name, []).extend(table_rows)
            waiting += len(table_rows)
        if waiting >= chunk_rows:
            yield bulk.prepare_sqlite(pending), done
            pending, waiting = {}, 0
    if pending:
        yield bulk.prepare_sqlite(pending), done


class WorkerFailed:
    """Sent instead of a chunk when generation fails in the worker; carries its traceback."""

    def __init__(self, detail: str) -> None:
        self.detail = detail


def can_run() -> bool:
    """A child interpreter can be started (not so inside a frozen application)."""
    return not getattr(sys, "frozen", False) and bool(sys.executable)


def from_worker(
    customers: int, *, seed: int, now: datetime, chunk_rows: int, batch_customers: int
) -> Iterator[Chunk]:
    """Prepared chunks made by a child process, in order; its failure is raised here."""
    root = str(Path(__file__).resolve().parents[2])  # the folder holding `console`
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    command = [
        sys.executable,
        "-m",
        "console.seed.worker",
        str(customers),
        str(seed),
        now.isoformat(),
        str(chunk_rows),
        str(batch_customers),
    ]
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env=env)
    stream = child.stdout
    assert stream is not None
    try:
        while True:
            try:
                message = pickle.load(stream)
            except EOFError:
                raise RuntimeError(
                    f"the seed worker stopped unexpectedly (exit code {child.wait()})"
                ) from None
            if message is None:
                break
            if isinstance(message, WorkerFailed):
                raise RuntimeError(f"the seed worker failed:\n{message.detail}")
            yield message
        child.wait()
    finally:
        stream.close()
        if child.poll() is None:
            child.terminate()
            child.wait()


def serve(arguments: Sequence[str], out: IO[bytes]) -> int:
    """The child's work: pickle each chunk to `out`, then None; a failure is sent, not raised."""
    gc.disable()
    try:
        customers, seed, now, chunk_rows, batch_customers = arguments
        for chunk in prepared_chunks(
            int(customers),
            seed=int(seed),
            now=datetime.fromisoformat(now),
            chunk_rows=int(chunk_rows),
            batch_customers=int(batch_customers),
        ):
            pickle.dump(chunk, out, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(None, out)
        out.flush()
    except BrokenPipeError:
        return 1  # the parent stopped reading: it has already failed or given up
    except Exception:
        pickle.dump(WorkerFailed(traceback.format_exc()), out)
        out.flush()
        return 1
    return 0


if __name__ == "__main__":
    # Leave without the interpreter's own clean-up: it would flush stdout again, and complain
    # if the parent has closed the pipe.
    os._exit(serve(sys.argv[1:], sys.stdout.buffer))
