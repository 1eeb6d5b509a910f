"""Read what the advisor typed and decide what it can be: account, phone, postcode, email or name."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from console.normalise import email_key, looks_like_postcode_start, name_key, phone_prefix, postcode_key

# Longer input is not something a customer reads out; it gets "no match", not a query.
MAX_QUERY_LENGTH = 120
MIN_PHONE_DIGITS = 4


class ProbeKind(StrEnum):
    ACCOUNT = "account"
    PHONE = "phone"
    POSTCODE = "postcode"
    EMAIL = "email"
    NAME = "name"


@dataclass(frozen=True)
class Probe:
    """One index to look in, with the normalised prefix to look for."""

    kind: ProbeKind
    keys: tuple[str, ...]


def clean(text: str) -> str:
    """Drop control and format characters (bidi marks, zero-width joiners), fold spacing."""
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    return " ".join(kept.split())


def plan_search(text: str) -> list[Probe]:
    """The probes worth running for `text`, most specific first; empty means nothing to look for."""
    query = clean(text)
    if not query or len(query) > MAX_QUERY_LENGTH:
        return []
    if "@" in query:
        return [Probe(ProbeKind.EMAIL, (email_key(query),))]
    compact = re.sub(r"[\s\-().]", "", query)
    if re.fullmatch(r"\+?\d+", compact):
        probes = []
        if compact.isdigit() and not compact.startswith("0"):
            probes.append(Probe(ProbeKind.ACCOUNT, (compact,)))
        digits = compact.lstrip("+")
        prefix = phone_prefix(query) if len(digits) >= MIN_PHONE_DIGITS else None
        if prefix:
            probes.append(Probe(ProbeKind.PHONE, (prefix,)))
        return probes
    if any(ch.isdigit() for ch in query):
        if looks_like_postcode_start(query):
            return [Probe(ProbeKind.POSTCODE, (postcode_key(query),))]
        return []
    tokens = tuple(token for token in name_key(query).split() if token)
    if not tokens:
        return []
    return [Probe(ProbeKind.NAME, tokens)]
