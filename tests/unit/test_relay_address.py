"""The notice relay's address: TLS by default, plain TCP only to this machine unless allow_insecure,
and a clear reason for anything else."""

from __future__ import annotations

import pytest

from console.relay_address import RelayAddressError, parse_host_port, parse_relay_address


def test_a_bare_host_and_port_is_tls() -> None:
    address = parse_relay_address("relay.example.net:7070")
    assert (address.host, address.port, address.tls) == ("relay.example.net", 7070, True)
    assert address.ssl_context() is not None


def test_plain_tcp_only_to_this_machine_unless_allowed() -> None:
    assert not parse_relay_address("tcp://127.0.0.1:7070").tls
    with pytest.raises(RelayAddressError, match="unencrypted"):
        parse_relay_address("tcp://relay.example.net:7070")
    assert parse_relay_address("tcp://relay.example.net:7070", allow_insecure=True).ssl_context() is None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("udp://host:1", "must be tls://"),
        ("host", "must be HOST:PORT"),
        ("host:99999", "port"),
        ("host:abc", "port"),
        ("user@host:1", "must be HOST:PORT"),
    ],
)
def test_bad_addresses_say_why(text: str, words: str) -> None:
    with pytest.raises(RelayAddressError, match=words):
        parse_relay_address(text)


def test_a_listen_address_may_be_any_interface() -> None:
    assert parse_host_port("0.0.0.0:7070") == ("0.0.0.0", 7070)
    assert parse_host_port("[::1]:7070") == ("::1", 7070)
