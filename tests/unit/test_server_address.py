"""The central server's URL: checked once, TLS verified by default over TCP, never a user or password."""

from __future__ import annotations

import pytest

from console.server_address import ServerAddressError, parse_server_url


def test_a_tcp_url_verifies_the_certificate_by_default() -> None:
    address = parse_server_url("postgresql://central.example.net:6432/console")
    assert (address.host, address.port, address.database) == ("central.example.net", 6432, "console")
    assert address.sslmode == "verify-full"
    assert address.describe() == "central.example.net:6432/console"
    assert address.connection_keywords() == {
        "host": "central.example.net",
        "port": "6432",
        "dbname": "console",
        "sslmode": "verify-full",
    }


def test_a_socket_folder_and_tls_options_are_taken() -> None:
    address = parse_server_url("postgresql:///console?host=/run/postgresql&port=5433")
    assert (address.host, address.port, address.is_socket, address.sslmode) == (
        "/run/postgresql",
        5433,
        True,
        "disable",
    )
    tls = parse_server_url("postgres://db/console?sslmode=verify-ca&sslrootcert=/etc/ca.pem")
    assert (tls.port, tls.sslmode, tls.sslrootcert) == (5432, "verify-ca", "/etc/ca.pem")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mysql://db/console", "postgresql://host:port/database"),
        ("postgresql://db", "must name the database"),
        ("postgresql:///console", "must name a host"),
        ("postgresql://db:99999/console", "port"),
        ("postgresql://db/console?sslmode=maybe", "sslmode must be one of"),
        ("postgresql://db/console?password=x", "unsupported parameter 'password'"),
        ("postgresql://db/console?passfile=/x", "unsupported parameter 'passfile'"),
    ],
)
def test_bad_urls_are_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(ServerAddressError, match=message):
        parse_server_url(text)


@pytest.mark.parametrize("text", ["postgresql://asha:s3cret-pw@db/console", "postgresql://asha@db/console"])
def test_a_user_or_password_in_the_url_is_refused_without_repeating_it(text: str) -> None:
    with pytest.raises(ServerAddressError) as caught:
        parse_server_url(text)
    assert "signs in as themselves" in str(caught.value)
    assert "s3cret" not in str(caught.value)
    assert "asha" not in str(caught.value)


@pytest.mark.parametrize("mode", ["disable", "allow", "prefer"])
def test_plain_text_to_a_host_on_the_network_needs_allow_insecure(mode: str) -> None:
    text = f"postgresql://central.example.org/console?sslmode={mode}"
    with pytest.raises(ServerAddressError, match=f"sslmode={mode} for central.example.org.*allow_insecure"):
        parse_server_url(text)
    accepted = parse_server_url(text, allow_insecure=True)
    assert accepted.unencrypted and accepted.sslmode == mode


@pytest.mark.parametrize(
    "text",
    [
        "postgresql://localhost/console?sslmode=disable",
        "postgresql://127.0.0.1:5433/console?sslmode=disable",
        "postgresql:///console?host=/run/postgresql",
        "postgresql://central.example.org/console?sslmode=require",
        "postgresql://central.example.org/console",
    ],
)
def test_this_machine_and_tls_need_no_allowance(text: str) -> None:
    assert not parse_server_url(text).unencrypted
