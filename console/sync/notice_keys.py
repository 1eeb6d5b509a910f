"""Change notices and their keys: the payload the server's commit trigger sends ("<head> <key> ..."),
who a notice is for, and whether it meets a workstation's interest (docs/sync.md, "Change notices")."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

EVERYONE = "*"  # a notice for everyone, or an interest in every notice
# c:<customer>, u:<user>, t:<team>, r:<role>; customer and user keys hold a UUID.
KEY_PATTERN = re.compile(
    r"\*|[cu]:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[tr]:[a-z_]{1,40}"
)


@dataclass(frozen=True)
class Notice:
    """One change notice: the change log's new head and the keys of the changes it numbered."""

    head: int
    keys: frozenset[str]

    @property
    def for_everyone(self) -> bool:
        return EVERYONE in self.keys or not self.keys

    def meets(self, interest: frozenset[str]) -> bool:
        """Whether a workstation interested in `interest` wants it."""
        return self.for_everyone or EVERYONE in interest or not self.keys.isdisjoint(interest)


def parse_notice(payload: str) -> Notice | None:
    """A notice from its payload: the head alone (a server before keys: for everyone) or the head and
    its keys; None for a payload that is not a notice (any login may NOTIFY the channel)."""
    head_text, _, rest = payload.strip().partition(" ")
    if not head_text.isdigit():
        return None
    return Notice(int(head_text), frozenset(rest.split()))


def customer_key(customer_id: uuid.UUID) -> str:
    return f"c:{customer_id}"


def customer_keys(customer_ids: Iterable[uuid.UUID]) -> frozenset[str]:
    """The interest of a workstation holding these customers (SyncEngine.set_interest)."""
    return frozenset(customer_key(customer) for customer in customer_ids)


def is_key(text: str) -> bool:
    return KEY_PATTERN.fullmatch(text) is not None
