"""What a customer's details may be changed to, in the words the advisor reads at the field; the
server (storage/server/67_customer_details.sql) refuses in the same words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from console.normalise import format_postcode, phone_e164
from domain.mutation_kinds import DETAIL_FIELDS
from domain.vocabulary import Channel, PhoneKind

REASON_MAX = 2000
YES, NO = "yes", "no"
PHONE_FIELDS: dict[str, PhoneKind] = {
    "mobile_phone": PhoneKind.MOBILE,
    "landline_phone": PhoneKind.LANDLINE,
    "work_phone": PhoneKind.WORK,
}
FLAG_FIELDS = frozenset({"marketing_consent", "vulnerable"})
FIELD_WORDS: dict[str, str] = {
    "email": "email",
    "address_line": "address",
    "town": "town",
    "postcode": "postcode",
    "preferred_channel": "preferred channel",
    "marketing_consent": "marketing consent",
    "vulnerable": "vulnerability",
    "vulnerability_note": "vulnerability note",
    "mobile_phone": "mobile number",
    "landline_phone": "landline number",
    "work_phone": "work number",
}
LONGEST: dict[str, int] = {"email": 254, "address_line": 200, "town": 100, "vulnerability_note": 2000}
CHANNELS = tuple(channel.value for channel in Channel if channel is not Channel.SYSTEM)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
assert set(FIELD_WORDS) == set(DETAIL_FIELDS)


class DetailRuleError(ValueError):
    """A value or reason the rules refuse; the message is for the advisor."""


@dataclass(frozen=True)
class DetailChange:
    """One detail set to `value` (None removes it)."""

    field: str
    value: str | None


def check_reason(reason: str) -> str:
    """The reason stripped, or DetailRuleError."""
    text = reason.strip()
    if not text:
        raise DetailRuleError("give a reason for the change")
    if len(text) > REASON_MAX:
        raise DetailRuleError("the reason is at most 2,000 characters")
    return text


def check_value(field: str, value: str | None) -> str | None:
    """The value as stored (an E.164 number, a printed postcode, yes/no), or DetailRuleError."""
    if field not in FIELD_WORDS:
        raise DetailRuleError(f"{field} is not a customer detail")
    text = (value or "").strip()
    words = FIELD_WORDS[field]
    longest = LONGEST.get(field, 200)
    if len(text) > longest:
        raise DetailRuleError(f"the {words} is at most {longest:,} characters")
    if field in PHONE_FIELDS:
        if not text:
            raise DetailRuleError("a phone number is replaced, not emptied: enter the new number")
        number = phone_e164(text)
        if number is None:
            raise DetailRuleError(f"the {words} is not a phone number")
        return number
    if field in FLAG_FIELDS:
        if text not in (YES, NO):
            raise DetailRuleError(f"the {words} is yes or no")
        return text
    if field == "preferred_channel":
        if text not in CHANNELS:
            raise DetailRuleError("choose a preferred channel")
        return text
    if field == "postcode":
        printed = format_postcode(text)
        if printed is None:
            raise DetailRuleError("the postcode is not a UK postcode")
        return printed
    if field in ("address_line", "town") and not text:
        raise DetailRuleError(f"the {words} cannot be empty")
    if field == "email" and text and not EMAIL.match(text):
        raise DetailRuleError("the email is not an email address")
    return text or None


@dataclass(frozen=True)
class NewCustomer:
    """A new customer as typed (phone may be empty)."""

    given_name: str
    family_name: str
    email: str
    address_line: str
    town: str
    postcode: str
    preferred_channel: str
    marketing_consent: bool
    phone: str
    reason: str


def check_name(text: str, words: str) -> str:
    name = text.strip()
    if not name:
        raise DetailRuleError(f"give the customer's {words}")
    if len(name) > 100:
        raise DetailRuleError(f"the {words} is at most 100 characters")
    return name


def check_new_customer(new: NewCustomer) -> dict[str, str | None]:
    """Every value as stored (names, email, address, printed postcode, channel, E.164 phone or None,
    the reason), or DetailRuleError naming the first field that is wrong."""
    values: dict[str, str | None] = {
        "given_name": check_name(new.given_name, "given name"),
        "family_name": check_name(new.family_name, "family name"),
    }
    for field in ("email", "address_line", "town", "postcode", "preferred_channel"):
        values[field] = check_value(field, getattr(new, field))
    values["phone"] = check_value("mobile_phone", new.phone) if new.phone.strip() else None
    values["reason"] = check_reason(new.reason)
    return values
