"""The ombudsman (ADR) letter for a formal complaint, drafted from the case and the customer.

The wording is data in resources/letters/adr_letter.toml; this module only fills it in.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime, tzinfo
from importlib.resources import files
from string import Template
from typing import Any

from domain.records import CaseSummary, CustomerProfile

TEMPLATE = files("resources").joinpath("letters", "adr_letter.toml")


@dataclass(frozen=True)
class Letter:
    subject: str
    body: str


def _wording() -> dict[str, Any]:
    return tomllib.loads(TEMPLATE.read_text(encoding="utf-8"))


def _day(moment: datetime, zone: tzinfo) -> str:
    local = moment.astimezone(zone)
    return f"{local.day} {local:%B %Y}"


def draft_adr_letter(
    case: CaseSummary, customer: CustomerProfile, summary: str, now: datetime, zone: tzinfo
) -> Letter:
    """The letter as it would be sent `now`: names, address, reference, dates, the ombudsman."""
    wording = _wording()
    made = case.complaint_made_at or case.opened_at
    deadline = case.complaint_deadline_at or made
    reason_key = "reason_deadlock" if case.deadlock_at is not None else "reason_eight_weeks"
    values = {
        "customer_name": customer.full_name,
        "salutation": (
            f"{customer.title} {customer.family_name}"
            if customer.title
            else f"{customer.given_name} {customer.family_name}"
        ),
        "address": "\n".join(p for p in (customer.address_line, customer.town, customer.postcode) if p),
        "today": _day(now, zone),
        "reference": case.reference,
        "case_title": case.title,
        "summary": summary.strip(),
        "complaint_made": _day(made, zone),
        "deadline": _day(deadline, zone),
        "ombudsman": wording["ombudsman"],
        "ombudsman_website": wording["ombudsman_website"],
        "months": str(wording["months"]),
        "company": wording["company"],
    }
    values["reason"] = Template(wording[reason_key]).substitute(values)
    subject = Template(wording["subject"]).substitute(values)
    body = Template(wording["body"]).substitute(values | {"subject": subject})
    return Letter(subject, body)
