"""The desktop entry that registers the console for tel: and callto: links, and mimeapps.list."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.desktop_entry import (
    DESKTOP_FILE,
    entry_path,
    entry_text,
    install,
    mimeapps_path,
    quote_exec_argument,
    uninstall,
)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}


def no_tools(_name: str) -> str | None:
    return None


def test_paths_honour_xdg(env: dict[str, str], tmp_path: Path) -> None:
    assert entry_path(env) == tmp_path / "data" / "applications" / DESKTOP_FILE
    assert mimeapps_path(env) == tmp_path / "config" / "mimeapps.list"
    relative = {"XDG_DATA_HOME": "relative/data", "XDG_CONFIG_HOME": "relative/config"}
    assert entry_path(relative) == Path.home() / ".local/share/applications" / DESKTOP_FILE
    assert mimeapps_path(relative) == Path.home() / ".config/mimeapps.list"


def test_install_writes_the_entry_and_the_defaults(env: dict[str, str]) -> None:
    done = install(env, which=no_tools)
    assert [line.split()[0] for line in done] == ["wrote", "updated"]
    entry = entry_path(env).read_text(encoding="utf-8")
    assert "MimeType=x-scheme-handler/tel;x-scheme-handler/callto;\n" in entry
    exec_line = next(line for line in entry.splitlines() if line.startswith("Exec="))
    assert exec_line.endswith(" call %u")
    program = exec_line.removeprefix("Exec=").split(" call ")[0]
    assert program.startswith("/")
    mimeapps = mimeapps_path(env).read_text(encoding="utf-8")
    assert "[Default Applications]\nx-scheme-handler/tel=advisor-console.desktop;\n" in mimeapps
    assert "x-scheme-handler/callto=advisor-console.desktop;" in mimeapps
    assert "[Added Associations]" in mimeapps


def test_install_twice_changes_nothing(env: dict[str, str]) -> None:
    install(env, which=no_tools)
    before = (entry_path(env).read_text(), mimeapps_path(env).read_text())
    done = install(env, which=no_tools)
    assert [line.split()[0] for line in done] == ["unchanged", "unchanged"]
    assert (entry_path(env).read_text(), mimeapps_path(env).read_text()) == before


def test_other_handlers_and_comments_are_kept(env: dict[str, str]) -> None:
    path = mimeapps_path(env)
    path.parent.mkdir(parents=True)
    path.write_text(
        "# mine\n[Default Applications]\ntext/html=firefox.desktop\n"
        "x-scheme-handler/tel=skype.desktop;\n\n[Added Associations]\nx-scheme-handler/tel=skype.desktop;\n",
        encoding="utf-8",
    )
    install(env, which=no_tools)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# mine\n")
    assert "text/html=firefox.desktop" in text
    ours_first = "x-scheme-handler/tel=advisor-console.desktop;skype.desktop;"
    assert f"[Default Applications]\ntext/html=firefox.desktop\n{ours_first}" in text
    assert "[Added Associations]\nx-scheme-handler/tel=advisor-console.desktop;skype.desktop;" in text
    uninstall(env, which=no_tools)
    after = path.read_text(encoding="utf-8")
    assert "advisor-console" not in after
    assert "x-scheme-handler/tel=skype.desktop;" in after
    assert "text/html=firefox.desktop" in after
    assert not entry_path(env).exists()


def test_uninstall_when_nothing_is_there(env: dict[str, str]) -> None:
    assert uninstall(env, which=no_tools) == ["nothing to remove"]


def test_xdg_tools_run_when_present(env: dict[str, str]) -> None:
    ran: list[list[str]] = []
    install(env, which=lambda name: f"/usr/bin/{name}", run=ran.append)
    assert ["/usr/bin/xdg-mime", "default", DESKTOP_FILE, "x-scheme-handler/tel"] in ran
    assert ["/usr/bin/xdg-mime", "default", DESKTOP_FILE, "x-scheme-handler/callto"] in ran
    assert ["/usr/bin/update-desktop-database", str(entry_path(env).parent)] in ran


@pytest.mark.parametrize(
    ("argument", "quoted"),
    [
        ("/usr/bin/advisor-console", "/usr/bin/advisor-console"),
        ("/opt/My Apps/advisor-console", '"/opt/My Apps/advisor-console"'),
        ("/opt/a$b", '"/opt/a\\\\$b"'),
        ("/opt/100%", "/opt/100%%"),
    ],
)
def test_exec_quoting(argument: str, quoted: str) -> None:
    assert quote_exec_argument(argument) == quoted


def test_entry_for_a_python_without_the_script() -> None:
    text = entry_text(["/usr/bin/python3", "-m", "console"])
    assert "Exec=/usr/bin/python3 -m console call %u\n" in text
