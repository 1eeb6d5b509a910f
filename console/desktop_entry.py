"""The freedesktop desktop entry that makes the console the handler of tel: and callto: links.

`install` writes `$XDG_DATA_HOME/applications/advisor-console.desktop` (default ~/.local/share) with
`Exec=<absolute advisor-console> call %u`, and makes it the default for both schemes in
`$XDG_CONFIG_HOME/mimeapps.list` (default ~/.config); where `xdg-mime` and `update-desktop-database`
exist, it runs them too. Running it again changes nothing; `uninstall` takes it all back.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

DESKTOP_FILE = "advisor-console.desktop"
SCHEMES = ("x-scheme-handler/tel", "x-scheme-handler/callto")
DEFAULTS = "[Default Applications]"
ADDED = "[Added Associations]"

Which = Callable[[str], str | None]
Run = Callable[[list[str]], object]


class DesktopEntryError(OSError):
    """The desktop entry or mimeapps.list could not be written; says which file and why."""


def _home_dir(variable: str, fallback: str, environ: dict[str, str] | os._Environ[str]) -> Path:
    value = environ.get(variable, "")
    # The XDG spec: a relative path in these variables is invalid and must be ignored.
    return Path(value) if value and Path(value).is_absolute() else Path.home() / fallback


def entry_path(environ: dict[str, str] | os._Environ[str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return _home_dir("XDG_DATA_HOME", ".local/share", env) / "applications" / DESKTOP_FILE


def mimeapps_path(environ: dict[str, str] | os._Environ[str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return _home_dir("XDG_CONFIG_HOME", ".config", env) / "mimeapps.list"


def program_command(which: Which = shutil.which) -> list[str]:
    """The absolute command that starts this console: the installed `advisor-console` beside this
    Python (or on PATH), else this Python with `-m console`."""
    beside = Path(sys.executable).parent / "advisor-console"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside.absolute())]
    found = which("advisor-console")
    if found:
        return [str(Path(found).absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "console"]


def quote_exec_argument(argument: str) -> str:
    """One argument as the Desktop Entry spec's Exec key wants it: quoted when it holds a reserved
    character, with `"`, `` ` ``, `$` and `\\` escaped inside the quotes, then `\\` doubled for the
    key's string escaping; `%` doubled so it is not read as a field code."""
    argument = argument.replace("%", "%%")
    reserved = set(" \t\n\"'\\><~|&;$*?#()`")
    if argument and not reserved & set(argument):
        return argument
    inner = "".join("\\" + ch if ch in '"`$\\' else ch for ch in argument)
    return ('"' + inner + '"').replace("\\", "\\\\")


def entry_text(command: list[str]) -> str:
    exec_line = " ".join(quote_exec_argument(part) for part in command) + " call %u"
    return "\n".join(
        [
            "[Desktop Entry]",
            "Type=Application",
            "Version=1.5",
            "Name=Advisor Console",
            "GenericName=Customer service console",
            "Comment=Shows the customer when a call arrives (tel: and callto: links)",
            f"Exec={exec_line}",
            "Terminal=false",
            "Categories=Office;",
            "MimeType=" + "".join(f"{scheme};" for scheme in SCHEMES),
            "",
        ]
    )


def _write(path: Path, text: str) -> bool:
    """Write `text` to `path` unless it already holds it; True when the file changed."""
    try:
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".new")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DesktopEntryError(f"cannot write {path}: {reason}") from None
    return True


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DesktopEntryError(f"cannot read {path}: {reason}") from None


def _sections(lines: list[str]) -> list[tuple[str, list[str]]]:
    """The file as (header, body lines); comments and unknown keys kept as they are."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in lines:
        if line.strip().startswith("[") and line.strip().endswith("]"):
            sections.append((line.strip(), []))
        else:
            sections[-1][1].append(line)
    return sections


def _join(sections: list[tuple[str, list[str]]]) -> str:
    out: list[str] = []
    for header, body in sections:
        if header:
            out.append(header)
        out.extend(body)
    return "\n".join(out).strip("\n") + "\n" if any(out) else ""


def _edit_key(body: list[str], key: str, edit: Callable[[list[str]], list[str]]) -> list[str]:
    """Apply `edit` to the `;`-list value of `key` in a section body (the key added or dropped as needed)."""
    kept: list[str] = []
    values: list[str] = []
    at: int | None = None
    for line in body:
        name, equals, value = line.partition("=")
        if equals and name.strip() == key:
            values += [item for item in value.strip().split(";") if item]
            at = len(kept) if at is None else at
        else:
            kept.append(line)
    new_values = edit(values)
    if new_values:
        line = f"{key}=" + "".join(f"{item};" for item in new_values)
        if at is None:  # after the section's last line that says something
            at = max((index + 1 for index, item in enumerate(kept) if item.strip()), default=0)
        kept.insert(at, line)
    return kept


def _with_sections(sections: list[tuple[str, list[str]]], header: str) -> list[tuple[str, list[str]]]:
    if not any(name == header for name, _ in sections):
        last_body = sections[-1][1]
        if (sections[-1][0] or any(line.strip() for line in last_body)) and (
            not last_body or last_body[-1].strip()
        ):
            last_body.append("")  # a blank line between sections, as people write the file
        sections.append((header, []))
    return sections


def _ours_first(values: list[str]) -> list[str]:
    return [DESKTOP_FILE, *(item for item in values if item != DESKTOP_FILE)]


def _without_ours(values: list[str]) -> list[str]:
    return [item for item in values if item != DESKTOP_FILE]


def _edit_mimeapps(path: Path, edit: Callable[[list[str]], list[str]], *, adding: bool) -> bool:
    sections = _sections(_read_lines(path))
    if adding:
        sections = _with_sections(_with_sections(sections, DEFAULTS), ADDED)
    edited = []
    for header, body in sections:
        if header in (DEFAULTS, ADDED):
            for scheme in SCHEMES:
                body = _edit_key(body, scheme, edit)
        edited.append((header, body))
    text = _join(edited)
    if not text and not path.exists():
        return False
    return _write(path, text)


def install(
    environ: dict[str, str] | os._Environ[str] | None = None,
    which: Which = shutil.which,
    run: Run | None = None,
) -> list[str]:
    """Write the entry and make it the default for tel: and callto:; returns one line per thing done."""
    entry, mimeapps = entry_path(environ), mimeapps_path(environ)
    done = [
        f"{'wrote' if _write(entry, entry_text(program_command(which))) else 'unchanged'} {entry}",
        f"{'updated' if _edit_mimeapps(mimeapps, _ours_first, adding=True) else 'unchanged'} {mimeapps}",
    ]
    done += _run_tools(entry, which, run, register=True)
    return done


def uninstall(
    environ: dict[str, str] | os._Environ[str] | None = None,
    which: Which = shutil.which,
    run: Run | None = None,
) -> list[str]:
    """Remove the entry and its lines in mimeapps.list; other handlers and keys stay as they were."""
    entry, mimeapps = entry_path(environ), mimeapps_path(environ)
    done = []
    if entry.exists():
        try:
            entry.unlink()
        except OSError as exc:
            raise DesktopEntryError(f"cannot remove {entry}: {exc.strerror}") from None
        done.append(f"removed {entry}")
    if mimeapps.is_file() and _edit_mimeapps(mimeapps, _without_ours, adding=False):
        done.append(f"updated {mimeapps}")
    done += _run_tools(entry, which, run, register=False)
    return done or ["nothing to remove"]


def _run_tools(entry: Path, which: Which, run: Run | None, *, register: bool) -> list[str]:
    """`xdg-mime default` (desktops that keep their own list) and `update-desktop-database`, when present."""
    runner = run or _quiet_run
    done = []
    xdg_mime = which("xdg-mime")
    if register and xdg_mime:
        for scheme in SCHEMES:
            runner([xdg_mime, "default", DESKTOP_FILE, scheme])
        done.append(f"ran {xdg_mime} default {DESKTOP_FILE} for tel: and callto:")
    update = which("update-desktop-database")
    if update:
        runner([update, str(entry.parent)])
        done.append(f"ran {update} {entry.parent}")
    return done


def _quiet_run(argv: list[str]) -> object:
    try:
        return subprocess.run(argv, capture_output=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None  # a helper tool failing leaves the files written above in place: enough
