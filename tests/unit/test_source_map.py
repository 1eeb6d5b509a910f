"""Tests mirror the source: every module with behaviour under domain/, console/, storage/ and widgets/
has a test module of its name (tests/<any>/test_<module>.py) or a line in tests/source_map.toml."""

from __future__ import annotations

import ast
import fnmatch
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAP = ROOT / "tests" / "source_map.toml"
PACKAGES = ("domain", "console", "storage", "widgets")
SUGGESTED = 3  # test modules named in a suggested line
NO_BEHAVIOUR = "no behaviour: "

Entry = list[str] | str


def source_modules() -> list[str]:
    return sorted(
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "__pycache__" not in path.parts
    )


def all_test_modules() -> list[Path]:
    return sorted(path for path in (ROOT / "tests").rglob("test_*.py") if "__pycache__" not in path.parts)


def dotted(module: str) -> str:
    return module.removesuffix(".py").replace("/", ".").removesuffix(".__init__")


def mirrored_names(module: str) -> set[str]:
    """test_<module>.py, or test_<package>_<module>.py (console/sync/outbox.py: test_sync_outbox.py)."""
    parts = dotted(module).split(".")
    names = {f"test_{parts[-1]}.py"}
    if len(parts) > 1:
        names.add(f"test_{parts[-2]}_{parts[-1]}.py")
    return names


def only_imports(module: str) -> bool:
    """A module of a docstring, imports and `__all__` alone (a package marker or re-export) has no
    behaviour of its own to test."""
    for node in ast.parse((ROOT / module).read_text(encoding="utf-8")).body:
        docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        imports = isinstance(node, ast.Import | ast.ImportFrom)
        names = isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["__all__"]
        if not (docstring or imports or names):
            return False
    return True


def importers(module: str, tests: list[Path]) -> list[str]:
    """Test modules that import `module` (or a name from it) directly: the likely entries of its line."""
    name = dotted(module)
    found = []
    for test in tests:
        for node in ast.walk(ast.parse(test.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            if name in names:
                found.append(test.relative_to(ROOT).as_posix())
                break
    return found


def load_map() -> dict[str, Entry]:
    entries: dict[str, Entry] = tomllib.loads(MAP.read_text(encoding="utf-8"))["modules"]
    return entries


def is_pattern(key: str) -> bool:
    return any(ch in key for ch in "*?[")


def entry_for(module: str, entries: dict[str, Entry]) -> Entry | None:
    if module in entries:
        return entries[module]
    for pattern, value in entries.items():
        if is_pattern(pattern) and fnmatch.fnmatchcase(module, pattern):
            return value
    return None


def needs_a_line(module: str, entries: dict[str, Entry], test_names: set[str]) -> bool:
    if entry_for(module, entries) is not None or mirrored_names(module) & test_names:
        return False
    return not only_imports(module)


def suggested_line(module: str, tests: list[Path]) -> str:
    """The line to add: the first test modules importing it (check them), else a placeholder to fill."""
    found = importers(module, tests)
    if not found:
        placeholder = f'["tests/..."]  # no test imports it: the tests covering it, or "{NO_BEHAVIOUR}<why>"'
        return f'"{module}" = {placeholder}'
    named = ", ".join(f'"{test}"' for test in found[:SUGGESTED])
    more = f"  # {len(found) - SUGGESTED} more import it" if len(found) > SUGGESTED else ""
    return f'"{module}" = [{named}]{more}'


def test_every_module_with_behaviour_has_its_tests() -> None:
    entries = load_map()
    tests = all_test_modules()
    test_names = {test.name for test in tests}
    missing = [module for module in source_modules() if needs_a_line(module, entries, test_names)]
    if missing:
        pytest.fail(
            f"{len(missing)} source module(s) have no test module of their name"
            " (tests/<any>/test_<module>.py)"
            f" and no line in {MAP.relative_to(ROOT)}; add under [modules] (and check the tests named):\n"
            + "\n".join(suggested_line(module, tests) for module in missing),
            pytrace=False,
        )


def stale(key: str, value: Entry, modules: set[str]) -> list[str]:
    problems = []
    if not is_pattern(key) and key not in modules:
        problems.append(f'no such module (moved or removed?): move or delete the line "{key}" = ...')
    if isinstance(value, str):
        if not value.startswith(NO_BEHAVIOUR):
            problems.append(f'a reason reads "{NO_BEHAVIOUR}<why>", not {value!r}')
    elif not value:
        problems.append("an empty list: name the test modules that cover it")
    else:
        problems += [f"{test} does not exist (moved?)" for test in value if not (ROOT / test).is_file()]
    return [f"{key}: {problem}" for problem in problems]


def test_every_line_of_the_map_names_what_exists() -> None:
    modules = set(source_modules())
    problems = [problem for key, value in load_map().items() for problem in stale(key, value, modules)]
    if problems:
        pytest.fail(f"Stale lines in {MAP.relative_to(ROOT)}:\n" + "\n".join(problems), pytrace=False)
