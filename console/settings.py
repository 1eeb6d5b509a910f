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
from console.relay_address import RelayAddress, RelayAddressError, parse_relay_address
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
    # A notice relay for change notices instead of LISTEN (many workstations): tls://host:port, or
    # tcp://host:port on this machine. Its certificate is checked against the server URL's sslrootcert.
    notice_relay: str | None = None
    # A connection pooler (PgBouncer) whose database signs in to the server as the shared
    # console_gateway login, postgresql://host:port/database: every sync call and server read goes
    # there and names this workstation's session; sign-in and LISTEN stay on server_url.
    pooler_url: str | None = None

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

    @property
    def pooler(self) -> ServerAddress | None:
        """The configured pooler, or None (then calls go to the server as the person's own login)."""
        return (
            parse_server_url(self.pooler_url, allow_insecure=self.allow_insecure) if self.pooler_url else None
        )

    @property
    def relay(self) -> RelayAddress | None:
        """The configured notice relay, or None (then the sync engine LISTENs on its own connection)."""
        if not self.notice_relay:
            return None
        server = self.server
        cafile = server.sslrootcert if server is not None else None
        return parse_relay_address(self.notice_relay, allow_insecure=self.allow_insecure, cafile=cafile)


LIMITS = {
    "due_soon_minutes": (1, 24 * 60),
    "complaint_offer_pause_days": (0, 365),
    "opening_hour": (0, 22),
    "closing_hour": (1, 23),
    "keep_customers_days": (1, 366),
}
TEXT_SETTINGS = ("server_url", "notice_relay", "pooler_url")
BOOLEAN_SETTINGS = ("allow_insecure",)


def check_text_setting(path: Path, key: str, value: object, *, allow_insecure: bool = False) -> None:
    if key == "notice_relay":
        if not isinstance(value, str):
            raise SettingsError(f"{path}: {key} must be a tls://host:port address in quotes")
        try:
            parse_relay_address(value, allow_insecure=allow_insecure)
        except RelayAddressError as exc:
            raise SettingsError(f"{path}: {key} {exc}") from None
        return
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
