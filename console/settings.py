"""Workstation settings, declared once with their defaults and meaning, read from settings.toml.

The file lives in the user's config folder (`advisor-console/settings.toml`); every key is
optional. A file that cannot be read is refused with a one-line reason, never half-applied.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from datetime import time, timedelta
from pathlib import Path
from typing import Any

import platformdirs

from console.paths import APP_NAME
from console.server_address import ServerAddress, ServerAddressError, parse_server_url
from console.working_time import WorkingHours


class SettingsError(ValueError):
    """settings.toml is unreadable or holds a value out of range; the message says which."""


@dataclass(frozen=True)
class Settings:
    # Minutes before its due time that a promise turns amber and its owner is told.
    due_soon_minutes: int = 15
    # Days after a formal complaint closes during which no offer is shown.
    complaint_offer_pause_days: int = 14
    # The team's working hours (local time, Monday to Friday, bank holidays off): the hour it opens
    # and the hour it closes. Suggested callback, next-attempt and check times fall within them
    # (handoff deadlines keep the hours the server publishes, so both count them alike).
    opening_hour: int = 8
    closing_hour: int = 18
    # The central server, postgresql://host:port/database (no user, no password). When set, the
    # console asks who is signing in before it opens; the workstation keeps its local store either way.
    server_url: str | None = None
    # Days a customer nobody opened stays on this workstation (unless the team's open work needs them),
    # and how far back "the customers I touched" reach in a new workstation's first sync.
    keep_customers_days: int = 30
    # Accept a server_url whose sslmode lets data cross the network unencrypted (disable, allow,
    # prefer); the status bar then says the link is not encrypted. Off: such a URL is refused.
    allow_insecure: bool = False

    @property
    def due_soon(self) -> timedelta:
        return timedelta(minutes=self.due_soon_minutes)

    @property
    def complaint_offer_pause(self) -> timedelta:
        return timedelta(days=self.complaint_offer_pause_days)

    @property
    def working_hours(self) -> WorkingHours:
        return WorkingHours(start=time(self.opening_hour), end=time(self.closing_hour))

    @property
    def server(self) -> ServerAddress | None:
        """The configured central server, or None (then no sign-in: the local store only)."""
        return (
            parse_server_url(self.server_url, allow_insecure=self.allow_insecure) if self.server_url else None
        )


LIMITS = {
    "due_soon_minutes": (1, 24 * 60),
    "complaint_offer_pause_days": (0, 365),
    "opening_hour": (0, 22),
    "closing_hour": (1, 23),
    "keep_customers_days": (1, 366),
}
TEXT_SETTINGS = ("server_url",)
BOOLEAN_SETTINGS = ("allow_insecure",)


def check_text_setting(path: Path, key: str, value: object, *, allow_insecure: bool = False) -> None:
    if not isinstance(value, str) or not value.strip():
        raise SettingsError(f"{path}: {key} must be a postgresql://host:port/database URL in quotes")
    try:
        parse_server_url(value, allow_insecure=allow_insecure)
    except ServerAddressError as exc:
        raise SettingsError(f"{path}: {key} {exc}") from None


def settings_path() -> Path:
    return platformdirs.user_config_path(APP_NAME, appauthor=False) / "settings.toml"


def load_settings(path: Path | None = None) -> Settings:
    path = path or settings_path()
    if not path.exists():
        return Settings()
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"cannot read {path}: {str(exc).splitlines()[0]}") from None
    known = {field.name for field in fields(Settings)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise SettingsError(f"{path}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(known))})")
    for key in BOOLEAN_SETTINGS:  # first: allow_insecure decides whether server_url passes
        if key in data and not isinstance(data[key], bool):
            raise SettingsError(f"{path}: {key} must be true or false, not {data[key]!r}")
    for key, value in data.items():
        if key in BOOLEAN_SETTINGS:
            continue
        if key in TEXT_SETTINGS:
            check_text_setting(path, key, value, allow_insecure=data.get("allow_insecure") is True)
            continue
        low, high = LIMITS[key]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise SettingsError(f"{path}: {key} must be a whole number from {low} to {high}, not {value!r}")
    settings = Settings(**data)
    if settings.opening_hour >= settings.closing_hour:
        raise SettingsError(
            f"{path}: opening_hour ({settings.opening_hour}) must be before "
            f"closing_hour ({settings.closing_hour})"
        )
    return settings
