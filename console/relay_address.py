"""The notice relay's address from settings or the command line: `tls://host:port` (the default for a
bare host:port, the relay's certificate verified as the server's is) or `tcp://host:port`, plain TCP,
only to this machine unless allow_insecure (the server address's rules, console/server_address.py)."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from console.server_address import LOCAL_HOSTS

SCHEMES = ("tls", "tcp")


class RelayAddressError(ValueError):
    """The relay address cannot be used; the message says why."""


@dataclass(frozen=True)
class RelayAddress:
    host: str
    port: int
    tls: bool = True
    cafile: str | None = None  # the authority that signed the relay's certificate (default: the system's)

    @property
    def is_local(self) -> bool:
        return self.host.lower() in LOCAL_HOSTS

    def describe(self) -> str:
        return f"{'tls' if self.tls else 'tcp'}://{self.host}:{self.port}"

    def ssl_context(self) -> ssl.SSLContext | None:
        """For the workstation's side: the relay proves it is the host named, as verify-full does."""
        if not self.tls:
            return None
        context = ssl.create_default_context(cafile=self.cafile)
        context.check_hostname = True
        context.verify_mode = ssl.CERT_REQUIRED
        return context


def parse_host_port(text: str, what: str = "the address") -> tuple[str, int]:
    """`host:port` or `[v6]:port`."""
    parts = urlsplit(f"//{text.strip()}")
    try:
        port = parts.port
    except ValueError:
        raise RelayAddressError(f"{what} has a port that is not a number from 1 to 65535") from None
    host = parts.hostname or ""
    if not host or port is None or parts.path or parts.query or "@" in parts.netloc:
        raise RelayAddressError(f"{what} must be HOST:PORT, not {text.strip()[:80]!r}")
    if not 1 <= port <= 65535:
        raise RelayAddressError(f"{what} has a port that is not a number from 1 to 65535")
    return host, port


def parse_relay_address(
    text: str, *, allow_insecure: bool = False, cafile: str | None = None
) -> RelayAddress:
    text = text.strip()
    scheme, found, rest = text.partition("://")
    if not found:
        scheme, rest = "tls", text
    if scheme not in SCHEMES:
        raise RelayAddressError(f"must be tls://HOST:PORT or tcp://HOST:PORT, not {scheme}://")
    host, port = parse_host_port(rest, "the notice relay's address")
    address = RelayAddress(host, port, tls=scheme == "tls", cafile=cafile)
    if not address.tls and not address.is_local and not allow_insecure:
        raise RelayAddressError(
            f"tcp:// to {host} would send tickets across the network unencrypted; use tls://, or set "
            "allow_insecure = true to accept the risk"
        )
    return address
