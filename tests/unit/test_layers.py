"""Imports go down only: domain/ imports no other floor, console/ and storage/ never import Qt or qasync,
storage never imports console or widgets."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QT = ("PySide6", "qasync", "shiboken6")


def imported_modules(package: str) -> dict[Path, set[str]]:
    found: dict[Path, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[path] = names
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("domain", (*QT, "widgets", "console", "storage", "sqlalchemy")),
        ("console", (*QT, "widgets")),
        ("storage", (*QT, "widgets", "console")),
    ],
)
def test_no_upward_or_qt_imports(package: str, forbidden: tuple[str, ...]) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(name for name in names if name.split(".")[0] in forbidden)
        for path, names in imported_modules(package).items()
    }
    # The command line may start the window: it imports widgets lazily, inside the function.
    allowed_lazy = {"console/cli.py": ["widgets.app"]}
    offenders = {
        path: names for path, names in offenders.items() if names and names != allowed_lazy.get(path)
    }
    assert offenders == {}


def test_importing_every_core_module_loads_no_qt() -> None:
    """Import all of console/ and storage/ in a fresh interpreter and look at sys.modules."""
    script = """
import importlib, pkgutil, sys
import console, domain, storage
for package in (domain, console, storage):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if info.name == "console.__main__" or ".migrations" in info.name:
            continue
        importlib.import_module(info.name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "qasync", "shiboken6", "widgets"))
print(",".join(loaded))
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True, timeout=120
    )
    assert result.stdout.strip() == ""


def models_imports(path: Path) -> list[str]:
    """The storage.models imports in one module, however spelled (`from storage import models` too)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [name for name in names if name == "storage.models" or name.startswith("storage.models.")]
    return sorted(set(found))


def test_console_imports_no_storage_models() -> None:
    """Services build no ORM rows: they call storage's repositories and `storage.writes.write`."""
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in sorted((ROOT / "console").rglob("*.py"))
        if (found := models_imports(path))
    }
    assert offenders == {}, f"console/ modules import storage.models: {offenders}"


def test_the_window_imports_no_storage() -> None:
    """The window and its controllers import Qt, domain/ and console's light modules only, and the
    command line and the start-up module import the store inside the functions opening it: the
    window can be painted before SQLAlchemy, storage/ and the services are imported (cold start)."""
    script = """
import sys
import console.cli, widgets.app, widgets.main_window
light = ("storage", "storage.errors")  # the package's docstring and the error the command line catches
heavy = ("console.services", "console.acting")
print(",".join(sorted(m for m in sys.modules if m not in light
    and (m.split(".")[0] in ("sqlalchemy", "storage") or m.startswith(heavy)))))
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True, timeout=120
    )
    assert result.stdout.strip() == ""
