"""Money as integer pence: read what an advisor types, and show pence as pounds. Never floats."""

from __future__ import annotations

import re

MAX_PAYMENT_PENCE = 1_000_000  # £10,000: above this no single goodwill payment is plausible
_PLAIN = re.compile(r"^(\d+)(?:\.(\d{1,2}))?$")
_GROUPED = re.compile(r"^(\d{1,3}(?:,\d{3})+)(?:\.(\d{1,2}))?$")


class AmountError(ValueError):
    """The amount cannot be taken as written; the message says why, for the field."""


def parse_pounds(text: str) -> int:
    """`12.50`, `£12.50`, `£1,250`, `7` give pence; anything ambiguous is refused, not guessed."""
    cleaned = text.strip().removeprefix("£").strip()
    if not cleaned:
        raise AmountError("enter an amount in pounds and pence, like 12.50")
    if len(cleaned) > 20:
        raise AmountError("that is not an amount: use pounds and pence, like 12.50")
    if cleaned.startswith("-"):
        raise AmountError("the amount must be more than £0.00")
    match = _PLAIN.match(cleaned) or _GROUPED.match(cleaned)
    if match is None:
        if re.fullmatch(r"\d+,\d{1,2}", cleaned):
            raise AmountError("use a point for pence: 12.50, not 12,50")
        if re.fullmatch(r"\d+\.\d{3,}", cleaned):
            raise AmountError("pence have two digits at most: 12.35, not 12.345")
        raise AmountError("that is not an amount: use pounds and pence, like 12.50")
    pounds = int(match.group(1).replace(",", ""))
    pence = int((match.group(2) or "0").ljust(2, "0"))
    total = pounds * 100 + pence
    if total <= 0:
        raise AmountError("the amount must be more than £0.00")
    if total > MAX_PAYMENT_PENCE:
        raise AmountError(f"that is more than {format_pence(MAX_PAYMENT_PENCE)} in one payment")
    return total


def parse_limit(text: str) -> int:
    """A goodwill limit in pounds: as `parse_pounds`, but £0 is allowed (nothing without approval)."""
    if re.fullmatch(r"£?\s*0+(?:\.0{1,2})?", text.strip()):
        return 0
    return parse_pounds(text)


def format_pence(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{rest:02d}"
