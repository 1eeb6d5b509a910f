"""Fresh SQLite stores of the newest schema in milliseconds: the migrations run once per process into a
template file (closed, so its WAL is folded in), and each new store starts as a copy of it."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from storage.location import parse_location
from storage.store import Store, open_store

_template: list[Path] = []


def template() -> Path:
    if not _template:
        folder = Path(tempfile.mkdtemp(prefix="advisor-console-store-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / "store.db"
        open_store(parse_location(str(path))).close()
        assert not path.with_name(f"{path.name}-wal").exists()
        _template.append(path)
    return _template[0]


def new_store(path: Path) -> Store:
    """A new store at `path` (which must not exist yet), as `open_store` would have made it."""
    if path.exists():
        raise FileExistsError(path)
    shutil.copyfile(template(), path)
    return open_store(parse_location(str(path)))
