"""Customer detail rule cases, run against console/details_rules.py (tests/unit/test_details_rules.py)
and the server's api.customer_change_details (tests/db/test_server_customer_details.py): each row is
a value as typed, a reason, and what is stored or the words of the refusal, the same on both sides."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DetailCase:
    name: str
    field: str
    typed: str
    reason: str = "customer asked"
    stored: str | None = None  # what is kept when allowed
    refused: str | None = None  # the words when refused

    @property
    def sent(self) -> str:
        """What reaches the server: the console's stored form when allowed, else the value as typed."""
        return self.typed if self.refused is not None else (self.stored or "")


DETAIL_CASES = (
    DetailCase("mobile in spoken form", "mobile_phone", "07700 900 123", stored="+447700900123"),
    DetailCase(
        "not a phone number",
        "mobile_phone",
        "call me maybe",
        refused="the mobile number is not a phone number",
    ),
    DetailCase(
        "landline emptied",
        "landline_phone",
        "",
        refused="a phone number is replaced, not emptied: enter the new number",
    ),
    DetailCase("postcode printed", "postcode", "sw1a2aa", stored="SW1A 2AA"),
    DetailCase("not a postcode", "postcode", "XYZ", refused="the postcode is not a UK postcode"),
    DetailCase("email", "email", "a.b@example.org", stored="a.b@example.org"),
    DetailCase("email removed", "email", "", stored=None),
    DetailCase("not an email", "email", "nobody-at-all", refused="the email is not an email address"),
    DetailCase(
        "address too long", "address_line", "x" * 100_000, refused="the address is at most 200 characters"
    ),
    DetailCase("town emptied", "town", "  ", refused="the town cannot be empty"),
    DetailCase("consent yes", "marketing_consent", "yes", stored="yes"),
    DetailCase("consent maybe", "marketing_consent", "maybe", refused="the marketing consent is yes or no"),
    DetailCase("channel letter", "preferred_channel", "letter", stored="letter"),
    DetailCase("channel system", "preferred_channel", "system", refused="choose a preferred channel"),
    DetailCase(
        "note too long",
        "vulnerability_note",
        "n" * 2001,
        refused="the vulnerability note is at most 2,000 characters",
    ),
    DetailCase("empty reason", "email", "a@b.co", reason="   ", refused="give a reason for the change"),
    DetailCase(
        "reason too long",
        "email",
        "a@b.co",
        reason="r" * 100_000,
        refused="the reason is at most 2,000 characters",
    ),
)
