"""The real `advisor-console` program, run as a subprocess the way a user or a script runs it."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from storage.location import StoreLocation
from tests.helpers import passwords

pytestmark = pytest.mark.slow


def run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ) if env is None else env
    return subprocess.run(
        [sys.executable, "-m", "console", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=timeout,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("seed", "screenshot", "db"):
        assert command in result.stdout


def test_console_script_is_installed() -> None:
    script = shutil.which("advisor-console", path=str(Path(sys.executable).parent))
    assert script is not None
    result = subprocess.run([script, "--help"], capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0


@pytest.mark.parametrize(
    "command", [("db", "upgrade"), ("screenshot", "out.png"), ("seed", "--customers", "5")]
)
def test_missing_folder(tmp_path: Path, command: tuple[str, ...]) -> None:
    args = [part if part != "out.png" else str(tmp_path / "out.png") for part in command]
    result = run(*args, "--db", str(tmp_path / "no" / "such" / "store.db"))
    assert_one_line_error(result, "folder does not exist")


@pytest.mark.parametrize("command", [("db", "upgrade"), ("screenshot", "out.png")])
def test_file_that_is_not_a_database_is_left_alone(tmp_path: Path, command: tuple[str, ...]) -> None:
    path = tmp_path / "letter.txt"
    path.write_text("Dear Sir or Madam,\n" * 200)
    before = digest(path)
    args = [part if part != "out.png" else str(tmp_path / "out.png") for part in command]
    result = run(*args, "--db", str(path))
    assert_one_line_error(result, "not a SQLite database")
    assert digest(path) == before


def test_corrupt_store_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    assert run("db", "upgrade", "--db", str(path)).returncode == 0
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\x00\xff" * ((4096 - 100) // 2)
    path.write_bytes(bytes(data))
    before = digest(path)
    result = run("db", "upgrade", "--db", str(path))
    assert_one_line_error(result, "damaged")
    assert digest(path) == before


def test_unreachable_postgres() -> None:
    passwords.register("pw-not-shown")
    result = run("db", "upgrade", "--db", "postgresql://advisor:pw-not-shown@127.0.0.1:1/central", timeout=60)
    assert_one_line_error(result, "cannot reach PostgreSQL", "127.0.0.1")
    assert "pw-not-shown" not in result.stderr


@pytest.mark.postgres
def test_db_upgrade_on_postgres(pg_location: StoreLocation) -> None:
    url = pg_location.url.render_as_string(hide_password=False)
    first = run("db", "upgrade", "--db", url)
    assert first.returncode == 0, first.stderr
    assert "up to date" in first.stdout
    assert run("db", "upgrade", "--db", url).returncode == 0


def test_no_display_points_at_screenshot(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = run("--db", str(tmp_path / "store.db"), env=env)
    assert_one_line_error(result, "no display", "screenshot")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("seed", "--customers", "0"), ("--customers",)),
        (("screenshot", "OUT", "--size", "huge"), ("--size",)),
        (("screenshot", "OUT", "--size", "10x10"), ("out of range",)),
    ],
)
def test_bad_arguments(tmp_path: Path, args: tuple[str, ...], words: tuple[str, ...]) -> None:
    args = tuple(str(tmp_path / "out.png") if a == "OUT" else a for a in args)
    result = run(*args, "--db", str(tmp_path / "store.db"))
    assert_one_line_error(result, *words)


def png_is_not_blank(path: Path) -> bool:
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    assert not image.isNull()
    first = image.pixel(0, 0)
    step = max(1, image.width() // 50)
    return any(
        image.pixel(x, y) != first
        for x in range(0, image.width(), step)
        for y in range(0, image.height(), step)
    )


def plant_impression_during_open_case(path: Path) -> None:
    """What a broken client might do: show an offer to Chloe Bennett while her fault is open."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from console.ids import new_id
    from storage.location import parse_location
    from storage.models import Customer, Offer, OfferImpression
    from storage.store import open_store

    store = open_store(parse_location(str(path)))
    with store.write() as session:
        customer_id = session.scalar(select(Customer.id).where(Customer.account_number == "10000003"))
        offer_id = session.scalar(select(Offer.id).limit(1))
        assert customer_id and offer_id
        session.add(
            OfferImpression(
                id=new_id(),
                customer_id=customer_id,
                offer_id=offer_id,
                advisor_id=None,
                shown_at=datetime.now(UTC),
            )
        )
    store.close()


def test_seed_then_screenshot_a_story_customer(tmp_path: Path) -> None:
    store = tmp_path / "demo.db"
    seeded = run("seed", "--db", str(store), "--customers", "300", "--seed", "7")
    assert seeded.returncode == 0, seeded.stderr
    assert "306 customers" in seeded.stdout  # 300 generated, the 4 stories and the household
    report = run("report", "suppressor", "--db", str(store))
    assert report.returncode == 0, report.stdout + report.stderr
    assert "No offer impression coincides with an open case." in report.stdout
    plant_impression_during_open_case(store)
    breached = run("report", "suppressor", "--db", str(store))
    assert breached.returncode == 3
    assert "1 offer impression(s) shown while a case was open" in breached.stdout
    assert "account 10000003" in breached.stdout
    again = run("seed", "--db", str(store), "--customers", "300")
    assert_one_line_error(again, "already")

    shot = tmp_path / "pane.png"
    result = run("screenshot", str(shot), "--db", str(store), "--customer", "10000003", "--size", "1366x768")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no platform chatter for the user to puzzle over
    assert png_is_not_blank(shot)

    stranger = run("screenshot", str(tmp_path / "y.png"), "--db", str(store), "--user", "nobody")
    assert_one_line_error(stranger, "no user 'nobody'")

    board = tmp_path / "board.png"
    result = run("screenshot", str(board), "--db", str(store), "--role", "supervisor")
    assert result.returncode == 0, result.stderr
    assert png_is_not_blank(board)

    missing = run("screenshot", str(tmp_path / "x.png"), "--db", str(store), "--customer", "99999999")
    assert_one_line_error(missing, "no customer with account number 99999999")
    assert not (tmp_path / "x.png").exists()


def test_first_run_creates_and_fills_the_default_store(tmp_path: Path) -> None:
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"))
    shot = tmp_path / "first.png"
    result = run("screenshot", str(shot), env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "advisor-console" / "console.db").exists()
    assert png_is_not_blank(shot)


def test_bad_settings_file_is_named_in_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config" / "advisor-console"
    config.mkdir(parents=True)
    (config / "settings.toml").write_text("due_soon_minutes = -3\n")
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"))
    result = run("screenshot", str(tmp_path / "x.png"), "--db", str(tmp_path / "s.db"), env=env)
    assert_one_line_error(result, "settings.toml", "due_soon_minutes")


def test_screenshot_of_the_login_dialog_names_the_configured_server(tmp_path: Path) -> None:
    config = tmp_path / "config" / "advisor-console"
    config.mkdir(parents=True)
    (config / "settings.toml").write_text('server_url = "postgresql://central.example.org:6432/console"\n')
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"))
    shot = tmp_path / "login.png"
    result = run("screenshot", str(shot), "--login", env=env)
    assert result.returncode == 0, result.stderr
    assert png_is_not_blank(shot)
    assert not (tmp_path / "data" / "advisor-console" / "console.db").exists()  # no store needed for it


def test_a_server_url_with_a_password_is_refused_without_showing_it(tmp_path: Path) -> None:
    config = tmp_path / "config" / "advisor-console"
    config.mkdir(parents=True)
    (config / "settings.toml").write_text('server_url = "postgresql://asha:Hunter2-pw@db/console"\n')
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"))
    result = run("screenshot", str(tmp_path / "x.png"), "--login", env=env)
    assert_one_line_error(result, "settings.toml", "server_url", "signs in as themselves")
    assert "Hunter2" not in result.stderr + result.stdout
