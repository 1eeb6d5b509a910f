"""Normal forms for what customers read out: phone numbers (E.164), postcodes, names and emails."""

from __future__ import annotations

import re
import unicodedata

DEFAULT_REGION = "GB"
# Outward code (A9, A99, A9A, AA9, AA99, AA9A) then inward code (9AA); the space is optional.
POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")
POSTCODE_PREFIX = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?(?:\s*[0-9](?:[A-Z]{1,2})?)?$")


def _drop_optional_trunk(text: str) -> str:
    """`(0)` is read out as an optional trunk zero: keep it at the start, drop it after `+44`."""
    stripped = text.strip()
    if stripped.startswith("(0)"):
        return "0" + stripped[3:]
    return stripped.replace("(0)", "")


def phone_e164(text: str, region: str = DEFAULT_REGION) -> str | None:
    """`07700 900123`, `+44 7700 900123`, `(0)7700-900123` all give `+447700900123`; None if not a number."""
    import phonenumbers  # on first use, not at start: its metadata takes a while to import

    cleaned = _drop_optional_trunk(text)
    if not cleaned or len(cleaned) > 40:
        return None
    try:
        number = phonenumbers.parse(cleaned, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_prefix(text: str, region: str = DEFAULT_REGION) -> str | None:
    """A partly typed UK number as the start of its E.164 form: `07700 9` gives `+4477009`."""
    cleaned = _drop_optional_trunk(text)
    if not re.fullmatch(r"[+\d][\d\s\-().]*", cleaned):
        return None
    digits = re.sub(r"\D", "", cleaned)
    if cleaned.startswith("+"):
        return "+" + digits if len(digits) >= 3 else None
    if digits.startswith("00"):
        return "+" + digits[2:] if len(digits) >= 5 else None
    if digits.startswith("0") and len(digits) >= 4:
        import phonenumbers

        code = phonenumbers.country_code_for_region(region)
        return f"+{code}{digits[1:]}"
    return None


def format_phone(e164: str) -> str:
    """How an advisor reads a stored number back: national format for UK numbers."""
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    # Country code, not region: Ofcom's drama numbers (07700 900xxx) belong to no region.
    if number.country_code == phonenumbers.country_code_for_region(DEFAULT_REGION):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def postcode_key(text: str) -> str:
    """Upper case without spaces: `sw1a 1aa` and `SW1A1AA` both give `SW1A1AA`."""
    return re.sub(r"\s+", "", text).upper()


def format_postcode(text: str) -> str | None:
    """The postcode as printed (`SW1A 1AA`), or None if it is not a full UK postcode."""
    match = POSTCODE.match(text.strip().upper())
    if not match:
        return None
    return f"{match.group(1)} {match.group(2)}"


def looks_like_postcode_start(text: str) -> bool:
    return bool(POSTCODE_PREFIX.match(text.strip().upper()))


def name_key(text: str) -> str:
    """Case- and accent-folded, so `Zoë`, `ZOE` and `zoe` match alike; keeps letters, digits, `-` and `'`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^\w'\- ]", "", stripped).strip()


def email_key(text: str) -> str:
    return text.strip().casefold()
