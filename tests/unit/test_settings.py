"""settings.toml: defaults when absent, values applied, bad files refused with the reason."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest

from console.settings import Settings, SettingsError, load_settings


def test_defaults_without_a_file(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "settings.toml") == Settings()
    assert Settings().due_soon == timedelta(minutes=15)


def test_values_are_applied(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("due_soon_minutes = 30\n")
    assert load_settings(path).due_soon == timedelta(minutes=30)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("due_soon_minutes = ", "cannot read"),
        ("due_soon_minutes = 0", "from 1 to 1440"),
        ("due_soon_minutes = 'soon'", "whole number"),
        ("due_soon_minutes = true", "whole number"),
        ("colour = 'blue'", "unknown setting 'colour'"),
        ("opening_hour = 18\nclosing_hour = 9", "opening_hour \\(18\\) must be before closing_hour \\(9\\)"),
        ("closing_hour = 24", "from 1 to 23"),
    ],
)
def test_bad_files_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text)
    with pytest.raises(SettingsError, match=message):
        load_settings(path)


def test_a_server_url_is_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('server_url = "postgresql://central.example.net/console"\n')
    settings = load_settings(path)
    assert settings.server is not None
    assert settings.server.describe() == "central.example.net:5432/console"
    assert Settings().server is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("server_url = 5", "server_url must be a postgresql://host:port/database URL"),
        ('server_url = "postgresql://asha:pw-x1@db/console"', "server_url must not name a user"),
        ('server_url = "postgresql://db"', "server_url must name the database"),
    ],
)
def test_a_bad_server_url_is_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text)
    with pytest.raises(SettingsError, match=message) as caught:
        load_settings(path)
    assert "pw-x1" not in str(caught.value)


def test_sslmode_disable_over_the_network_is_refused_unless_allowed(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    url = 'server_url = "postgresql://central.example.org:6432/console?sslmode=disable"\n'
    path.write_text(url)
    with pytest.raises(SettingsError, match=r"sslmode=disable for central\.example\.org") as caught:
        load_settings(path)
    assert "\n" not in str(caught.value)
    path.write_text(url + "allow_insecure = true\n")
    server = load_settings(path).server
    assert server is not None and server.unencrypted
    path.write_text(url + 'allow_insecure = "yes"\n')
    with pytest.raises(SettingsError, match="allow_insecure must be true or false"):
        load_settings(path)


def test_the_teams_working_hours_are_a_setting(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("opening_hour = 9\nclosing_hour = 17\n")
    hours = load_settings(path).working_hours
    assert (hours.start, hours.end) == (time(9, 0), time(17, 0))
    assert (Settings().working_hours.start, Settings().working_hours.end) == (time(8, 0), time(18, 0))


def test_a_notice_relay_is_read_and_checked_like_the_server(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(
        'server_url = "postgresql://central.example.net/console?sslrootcert=/etc/ca.pem"\n'
        'notice_relay = "relay.example.net:7070"\n'
    )
    relay = load_settings(path).relay
    assert relay is not None
    assert (relay.describe(), relay.cafile) == ("tls://relay.example.net:7070", "/etc/ca.pem")
    assert Settings().relay is None
    path.write_text('notice_relay = "tcp://relay.example.net:7070"\n')
    with pytest.raises(SettingsError, match=r"notice_relay tcp:// to relay\.example\.net would send tickets"):
        load_settings(path)
    path.write_text('notice_relay = "tcp://relay.example.net:7070"\nallow_insecure = true\n')
    relay = load_settings(path).relay
    assert relay is not None and not relay.tls
    path.write_text("notice_relay = 7070\n")
    with pytest.raises(SettingsError, match="notice_relay must be a tls://host:port address"):
        load_settings(path)


def test_a_pooler_is_read_and_checked_like_the_server(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('pooler_url = "postgresql://pool.example.net:6432/console_pool?sslmode=verify-full"\n')
    pooler = load_settings(path).pooler
    assert pooler is not None and "pool.example.net" in pooler.describe()
    assert Settings().pooler is None
    path.write_text('pooler_url = "postgresql://pool.example.net:6432/console_pool?sslmode=disable"\n')
    with pytest.raises(SettingsError, match="pooler_url"):
        load_settings(path)
    path.write_text("pooler_url = 6432\n")
    with pytest.raises(SettingsError, match="pooler_url must be a postgresql://"):
        load_settings(path)
