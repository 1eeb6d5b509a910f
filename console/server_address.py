"""The central server's address from settings: a postgresql:// URL without user or password, checked.

People sign in as themselves, so the URL never names a user and never holds a password; it is
turned into libpq connection keywords only when a sign-in needs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

SCHEMES = ("postgresql", "postgres")
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
# Query keys a server URL may carry: the socket folder (host=/path), TLS checks, nothing secret.
ALLOWED_PARAMETERS = ("host", "port", "sslmode", "sslrootcert", "sslcrl")
DEFAULT_PORT = 5432
# Modes that let the password and customer data cross the network unencrypted.
PLAINTEXT_MODES = ("disable", "allow", "prefer")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


class ServerAddressError(ValueError):
    """The server URL cannot be used; the message says why (and never repeats a password)."""


@dataclass(frozen=True)
class ServerAddress:
    """Where the central server is: a host name (or a unix socket folder), a port and a database."""

    host: str
    port: int
    database: str
    sslmode: str
    sslrootcert: str | None = None
    sslcrl: str | None = None

    @property
    def is_socket(self) -> bool:
        return self.host.startswith("/")

    @property
    def is_local(self) -> bool:
        """A unix socket or this machine's loopback: nothing crosses a network."""
        return self.is_socket or self.host.lower() in LOCAL_HOSTS

    @property
    def unencrypted(self) -> bool:
        """Over a network without TLS (only with `allow_insecure = true`): the status bar says so."""
        return not self.is_local and self.sslmode in PLAINTEXT_MODES

    def describe(self) -> str:
        """For messages and the status bar."""
        where = self.host if self.is_socket else f"{self.host}:{self.port}"
        return f"{where}/{self.database}"

    @property
    def key(self) -> str:
        """Names this server in the keyring and the offline-unlock cache."""
        return f"postgresql://{self.describe()}"

    def connection_keywords(self) -> dict[str, str]:
        """libpq keywords for a connection (user and password are added by the caller, never stored)."""
        keywords = {
            "host": self.host,
            "port": str(self.port),
            "dbname": self.database,
            "sslmode": self.sslmode,
        }
        if self.sslrootcert is not None:
            keywords["sslrootcert"] = self.sslrootcert
        if self.sslcrl is not None:
            keywords["sslcrl"] = self.sslcrl
        return keywords


def parse_server_url(text: str, *, allow_insecure: bool = False) -> ServerAddress:
    """`postgresql://host:port/db` (TLS verified by default) or `postgresql:///db?host=/socket/folder`.
    An sslmode that allows plain text to a host on the network needs `allow_insecure`."""
    text = text.strip()
    parts = urlsplit(text)
    if parts.scheme not in SCHEMES:
        raise ServerAddressError("must be a postgresql://host:port/database URL")
    if "@" in parts.netloc:
        # Do not echo the URL: the part before '@' may hold a password.
        raise ServerAddressError(
            "must not name a user or hold a password: each person signs in as themselves"
        )
    if parts.fragment:
        raise ServerAddressError("must not have a #fragment")
    database = unquote(parts.path.lstrip("/"))
    if not database or "/" in database:
        raise ServerAddressError("must name the database: postgresql://host:port/database")
    try:
        query = dict(parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query)))
    except ValueError:
        raise ServerAddressError("has a malformed ?query") from None
    unknown = sorted(set(query) - set(ALLOWED_PARAMETERS))
    if unknown:
        raise ServerAddressError(
            f"has an unsupported parameter {unknown[0]!r} (allowed: {', '.join(ALLOWED_PARAMETERS)})"
        )
    try:
        url_port = parts.port
    except ValueError:
        raise ServerAddressError("has a port that is not a number from 1 to 65535") from None
    host = query.get("host") or parts.hostname or ""
    if not host:
        raise ServerAddressError("must name a host: postgresql://host:port/database")
    port_text = query.get("port")
    port = url_port or DEFAULT_PORT
    if port_text is not None:
        if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            raise ServerAddressError("has a port that is not a number from 1 to 65535")
        port = int(port_text)
    is_socket = host.startswith("/")
    # Over TCP the server proves who it is: a certificate signed by a trusted authority, for this host.
    sslmode = query.get("sslmode", "disable" if is_socket else "verify-full")
    if sslmode not in SSL_MODES:
        raise ServerAddressError(f"sslmode must be one of {', '.join(SSL_MODES)}, not {sslmode!r}")
    if (
        sslmode in PLAINTEXT_MODES
        and not is_socket
        and host.lower() not in LOCAL_HOSTS
        and not allow_insecure
    ):
        raise ServerAddressError(
            f"has sslmode={sslmode} for {host}: passwords and customer data would cross the network "
            "unencrypted; use sslmode=verify-full, or set allow_insecure = true to accept the risk"
        )
    return ServerAddress(
        host=host,
        port=port,
        database=database,
        sslmode=sslmode,
        sslrootcert=query.get("sslrootcert") or None,
        sslcrl=query.get("sslcrl") or None,
    )
