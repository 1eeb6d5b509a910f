"""Tickets for the notice relay: fetched by a workstation through its own login (api.notice_ticket),
checked by the relay with the secret only it and the server know (HMAC-SHA256, 87_notice_relay.sql)."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from console.sync.notice_keys import is_key

if TYPE_CHECKING:
    from console.sync.remote import ServerLink


class TicketError(ValueError):
    """The ticket cannot be used; the message says why in one line."""


@dataclass(frozen=True)
class Ticket:
    """Who may subscribe (the user), to which keys beyond customers (its user, team and role keys),
    until when (seconds since 1970), signed by the server."""

    user: uuid.UUID
    keys: tuple[str, ...]
    expires: int
    sig: str

    def signed_text(self) -> str:
        """The text the signature covers: the same as api.notice_ticket_text."""
        return f"notice-ticket/1|{self.user}|{','.join(self.keys)}|{self.expires}"

    def as_json(self) -> dict[str, Any]:
        return {"user": str(self.user), "keys": list(self.keys), "expires": self.expires, "sig": self.sig}

    def expired(self, now: datetime) -> bool:
        return now.timestamp() >= self.expires

    def expires_within(self, now: datetime, seconds: float) -> bool:
        return now.timestamp() + seconds >= self.expires


def ticket_from_json(found: object) -> Ticket:
    """A ticket as it came over the wire or from the server; TicketError when it is not one."""
    if not isinstance(found, dict):
        raise TicketError("the ticket is not an object")
    try:
        user = uuid.UUID(str(found["user"]))
        keys = found["keys"]
        expires = found["expires"]
        sig = found["sig"]
    except (KeyError, ValueError):
        raise TicketError("the ticket lacks its user, keys, expiry or signature") from None
    if not isinstance(keys, list) or not all(isinstance(key, str) and is_key(key) for key in keys):
        raise TicketError("the ticket's keys are not keys")
    if not isinstance(expires, int) or isinstance(expires, bool) or not isinstance(sig, str):
        raise TicketError("the ticket's expiry or signature is malformed")
    return Ticket(user, tuple(keys), expires, sig)


def sign(ticket_text: str, secret: bytes) -> str:
    return hmac.new(secret, ticket_text.encode(), hashlib.sha256).hexdigest()


def check(ticket: Ticket, secret: bytes, now: datetime) -> None:
    """Raise TicketError unless the server signed `ticket` and it has not expired."""
    if not hmac.compare_digest(sign(ticket.signed_text(), secret), ticket.sig):
        raise TicketError("the ticket's signature is not the server's")
    if ticket.expired(now):
        raise TicketError("the ticket has expired: fetch a new one")


async def fetch_ticket(link: ServerLink) -> Ticket:
    """The signed-in person's ticket (api.notice_ticket), through their link to the server."""
    return ticket_from_json(await link.notice_ticket())
