"""The widgets floor keeps its shape: a thin main window (layout and wiring), controllers of a readable
size, and no function longer than a screen."""

from __future__ import annotations

import ast
from pathlib import Path

WIDGETS = Path(__file__).resolve().parents[2] / "widgets"
MAIN_WINDOW_LINES = 400
CONTROLLER_LINES = 400
FUNCTION_LINES = 80


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_the_main_window_stays_under_its_line_budget() -> None:
    assert _lines(WIDGETS / "main_window.py") < MAIN_WINDOW_LINES


def test_every_controller_stays_under_its_line_budget() -> None:
    controllers = sorted(WIDGETS.glob("*/controller.py"))
    assert controllers, "each feature package has a controller.py"
    too_long = {str(p.relative_to(WIDGETS)): n for p in controllers if (n := _lines(p)) >= CONTROLLER_LINES}
    assert too_long == {}


def test_no_function_in_widgets_is_longer_than_a_screen() -> None:
    too_long: dict[str, int] = {}
    for path in sorted(WIDGETS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > FUNCTION_LINES:
                    too_long[f"{path.relative_to(WIDGETS)}:{node.lineno} {node.name}"] = length
    assert too_long == {}
