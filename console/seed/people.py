"""People: the staff (advisors and supervisors across teams, with the fixed demo logins) and
customers with their phone numbers, drawn from the pools with the seeded random generator."""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass, field
from typing import NamedTuple

from console.seed import pools
from console.seed.phrases import VULNERABILITY_NOTES
from console.seed.rows import DAY, YEAR, Row, Rows, at, day_of, new_id, owner_change_row
from domain.vocabulary import Channel, PhoneKind, Role, Team


class FixedUser(NamedTuple):
    username: str
    display_name: str
    role: str
    team: str
    limit_pence: int
    active: bool = True


# The default logins, and the staff the stories name. Always present, whatever the scale.
DEFAULT_ADVISOR = "advisor"
DEFAULT_SUPERVISOR = "supervisor"
FIXED_USERS: tuple[FixedUser, ...] = (
    FixedUser(DEFAULT_ADVISOR, "Alex Advisor", Role.ADVISOR, Team.FRONT_LINE, 5_000),
    FixedUser(DEFAULT_SUPERVISOR, "Sam Supervisor", Role.SUPERVISOR, Team.FRONT_LINE, 50_000),
    FixedUser("daniel.okafor", "Daniel Okafor", Role.ADVISOR, Team.SALES, 5_000),
    FixedUser("ruth.evans", "Ruth Evans", Role.ADVISOR, Team.PROVISIONING, 3_000),
    FixedUser("kofi.mensah", "Kofi Mensah", Role.ADVISOR, Team.COMPLAINTS, 5_000),
    FixedUser("graham.pike", "Graham Pike", Role.ADVISOR, Team.SALES, 5_000, active=False),
)

# Teams of the generated advisors after the first of each team.
ADVISOR_TEAMS = pools.Weighted(
    [
        (Team.FRONT_LINE.value, 55),
        (Team.SALES.value, 10),
        (Team.TECHNICAL.value, 10),
        (Team.BILLING.value, 8),
        (Team.PROVISIONING.value, 7),
        (Team.FIELD_ENGINEERS.value, 5),
        (Team.COMPLAINTS.value, 5),
    ]
)


def staff_numbers(customers: int) -> tuple[int, int]:
    """About one advisor per 2,000 customers (at least 8), one supervisor per 8 advisors (at least 2)."""
    advisors = max(8, math.ceil(customers / 2000))
    return advisors, max(2, math.ceil(advisors / 8))


@dataclass
class Staff:
    """The users, and the ids the generators pick from."""

    rows: list[Row] = field(default_factory=list)
    by_username: dict[str, uuid.UUID] = field(default_factory=dict)
    advisors: list[uuid.UUID] = field(default_factory=list)  # active advisors
    supervisors: list[uuid.UUID] = field(default_factory=list)
    by_team: dict[str, list[uuid.UUID]] = field(default_factory=dict)  # active advisors per team
    limits: dict[uuid.UUID, int] = field(default_factory=dict)

    @property
    def default_advisor(self) -> uuid.UUID:
        return self.by_username[DEFAULT_ADVISOR]

    def add(self, rng: random.Random, now: int, user: FixedUser, created: int | None = None) -> uuid.UUID:
        if created is None:
            created = now - 30 * DAY - int(rng.random() * 9 * YEAR)
        user_id = new_id(created, rng)
        self.rows.append(
            {
                "id": user_id,
                "username": user.username,
                "display_name": user.display_name,
                "role": user.role,
                "team": user.team,
                "goodwill_limit_pence": user.limit_pence,
                "active": user.active,
                "created_at": at(created),
            }
        )
        self.by_username[user.username] = user_id
        self.limits[user_id] = user.limit_pence
        if user.active and user.role == Role.ADVISOR:
            self.advisors.append(user_id)
            self.by_team.setdefault(user.team, []).append(user_id)
        elif user.active:
            self.supervisors.append(user_id)
        return user_id

    def of_team(self, team: str) -> list[uuid.UUID]:
        return self.by_team.get(team) or self.advisors


def make_staff(rng: random.Random, customers: int, now: int) -> Staff:
    """The fixed users, then generated ones until the scale's numbers are reached."""
    staff = Staff()
    names = pools.name_pools()
    for user in FIXED_USERS:
        staff.add(rng, now, user)
    want_advisors, want_supervisors = staff_numbers(customers)
    fixed_advisors = sum(1 for u in FIXED_USERS if u.role == Role.ADVISOR and u.active)
    fixed_supervisors = sum(1 for u in FIXED_USERS if u.role == Role.SUPERVISOR)
    missing_teams = [t.value for t in Team if t.value not in staff.by_team]
    supervisor_teams = [t.value for t in Team if t != Team.FRONT_LINE]

    def unique_person() -> tuple[str, str]:
        given_pool = names.male if rng.random() < 0.5 else names.female
        given = given_pool[int(rng.random() * len(given_pool))]
        family = names.family[int(rng.random() * len(names.family))]
        base = f"{names.ascii[given]}.{names.ascii[family]}"
        username, n = base, 1
        while username in staff.by_username:
            n += 1
            username = f"{base}{n}"
        return username, f"{given} {family}"

    for i in range(max(0, want_advisors - fixed_advisors)):
        team = missing_teams[i] if i < len(missing_teams) else ADVISOR_TEAMS.pick(rng)
        username, display = unique_person()
        limit = 2_500 + 500 * int(rng.random() * 6)  # £25 to £50
        staff.add(rng, now, FixedUser(username, display, Role.ADVISOR, team, limit))
    for i in range(max(0, want_supervisors - fixed_supervisors)):
        team = supervisor_teams[i % len(supervisor_teams)]
        username, display = unique_person()
        limit = 25_000 + 5_000 * int(rng.random() * 6)  # £250 to £500
        staff.add(rng, now, FixedUser(username, display, Role.SUPERVISOR, team, limit))
    return staff


class Customer(NamedTuple):
    """What the timeline needs to know about a customer it is generating history for."""

    id: uuid.UUID
    since: int
    phone: str
    marketing_consent: bool


PREFERRED_CHANNELS = pools.Weighted(
    [
        (Channel.PHONE.value, 50),
        (Channel.EMAIL.value, 28),
        (Channel.CHAT.value, 12),
        (Channel.LETTER.value, 5),
        (Channel.SOCIAL.value, 5),
    ]
)
MALE_TITLES = pools.Weighted(pools.MALE_TITLES)
FEMALE_TITLES = pools.Weighted(pools.FEMALE_TITLES)
OWNER_HANDOVER_NOTES = (
    "Previous account manager retired; introduced the new owner by phone",
    "Account moved to the business team's senior manager",
    "Handed over with notes on the customer's sites and contacts",
)


class CustomerMaker:
    """Makes one customer at a time; `since` rises with the account number, as in real life."""

    def __init__(self, rng: random.Random, staff: Staff, now: int, count: int) -> None:
        self.rng = rng
        self.staff = staff
        self.now = now
        self.count = count
        self.start = now - 20 * YEAR
        self.span = 20 * YEAR - 7 * DAY
        self.names = pools.name_pools()
        self.streets = pools.streets()
        self.towns = pools.towns()
        self.domains = pools.email_domains()
        self.owners = staff.by_team.get(Team.SALES.value, []) + staff.by_team.get(Team.FRONT_LINE.value, [])

    def make(self, rows: Rows, index: int, account_number: str) -> Customer:
        rng = self.rng
        rand = rng.random
        names = self.names
        since = self.start + int((index + rand()) * self.span / self.count)
        customer_id = new_id(since, rng)
        if rand() < 0.5:
            given = names.male[int(rand() * len(names.male))]
            title = MALE_TITLES.pick(rng)
        else:
            given = names.female[int(rand() * len(names.female))]
            title = FEMALE_TITLES.pick(rng)
        family = names.family[int(rand() * len(names.family))]
        email: str | None = None
        if rand() < 0.9:
            g, f = names.ascii[given], names.ascii[family]
            style = rand()
            if style < 0.4:
                local = f"{g}.{f}"
            elif style < 0.7:
                local = f"{g}{f}{int(rand() * 100)}"
            else:
                local = f"{g[0]}{f}{(60 + int(rand() * 45)) % 100:02d}"
            email = f"{local}@{self.domains.pick(rng)}"
        town = self.towns.pick(rng)
        number = 1 + int(rand() ** 2 * 240)
        street = self.streets[int(rand() * len(self.streets))]
        address = f"Flat {1 + int(rand() * 24)}, {number} {street}" if rand() < 0.12 else f"{number} {street}"
        postcode = pools.postcode(rng, town)
        vulnerable = rand() < 0.03
        consent = rand() < 0.6
        owner: uuid.UUID | None = None
        if self.owners and rand() < 0.05:
            owner = self.owners[int(rand() * len(self.owners))]
        updated = self.now - int((self.now - since) * rand() ** 3)
        rows.customers.append(
            {
                "id": customer_id,
                "account_number": account_number,
                "title": title or None,
                "given_name": given,
                "family_name": family,
                "given_key": names.keys[given],
                "family_key": names.keys[family],
                "email": email,
                "email_key": email,  # already folded: generated addresses are lower-case ASCII
                "address_line": address,
                "town": town.name,
                "postcode": postcode,
                "postcode_key": postcode.replace(" ", ""),
                "vulnerable": vulnerable,
                "vulnerability_note": (pools.pick(rng, VULNERABILITY_NOTES) if vulnerable else None),
                "marketing_consent": consent,
                "preferred_channel": PREFERRED_CHANNELS.pick(rng),
                "account_owner_id": owner,
                "customer_since": day_of(since),
                "created_at": at(since),
                "updated_at": at(updated),
                "version": 1 + int(rand() * 4),
                "deleted": False,
            }
        )
        if owner is not None:
            self._owner_history(rows, customer_id, owner, since)
        phone = self._phones(rows, customer_id, since, town)
        return Customer(customer_id, since, phone, consent)

    def _phones(self, rows: Rows, customer_id: uuid.UUID, since: int, town: pools.Town) -> str:
        rng = self.rng
        if rng.random() < 0.8:
            primary, kind = pools.mobile_e164(rng), PhoneKind.MOBILE.value
        else:
            primary, kind = pools.landline_e164(rng, town), PhoneKind.LANDLINE.value
        rows.customer_phones.append(
            {
                "id": new_id(since, rng),
                "customer_id": customer_id,
                "kind": kind,
                "e164": primary,
                "is_primary": True,
            }
        )
        if rng.random() < 0.3:
            if kind == PhoneKind.MOBILE.value:
                other_kind = PhoneKind.LANDLINE.value if rng.random() < 0.7 else PhoneKind.WORK.value
                other = (
                    pools.landline_e164(rng, town)
                    if other_kind == PhoneKind.LANDLINE.value
                    else pools.landline_e164(rng, self.towns.pick(rng))
                )
            else:
                other_kind, other = PhoneKind.MOBILE.value, pools.mobile_e164(rng)
            rows.customer_phones.append(
                {
                    "id": new_id(since + DAY, rng),
                    "customer_id": customer_id,
                    "kind": other_kind,
                    "e164": other,
                    "is_primary": False,
                }
            )
        return primary

    def _owner_history(self, rows: Rows, customer_id: uuid.UUID, owner: uuid.UUID, since: int) -> None:
        rng = self.rng
        if rng.random() < 0.25 and len(self.owners) > 1:
            previous = self.owners[int(rng.random() * len(self.owners))]
            if previous != owner:
                rows.account_owner_changes.append(
                    owner_change_row(
                        rng,
                        customer_id=customer_id,
                        from_user_id=None,
                        to_user_id=previous,
                        note="Named account owner assigned",
                        changed=since + DAY,
                    )
                )
                handover = since + DAY + int((self.now - since - DAY) * rng.random())
                rows.account_owner_changes.append(
                    owner_change_row(
                        rng,
                        customer_id=customer_id,
                        from_user_id=previous,
                        to_user_id=owner,
                        note=pools.pick(rng, OWNER_HANDOVER_NOTES),
                        changed=handover,
                    )
                )
                return
        rows.account_owner_changes.append(
            owner_change_row(
                rng,
                customer_id=customer_id,
                from_user_id=None,
                to_user_id=owner,
                note="Named account owner assigned",
                changed=since + DAY,
            )
        )
