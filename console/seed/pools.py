"""Pools the seed draws from: UK names (built once from Faker's en_GB lists), towns with their
postcode areas and dialling codes, streets, email domains; plus weighted picking helpers."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Generic, TypeVar

from faker import Faker

from console.normalise import name_key

T = TypeVar("T")

# Postcode inward codes never use these letters (Royal Mail's rule), so leave them out.
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

# Surnames common in the UK that Faker's en_GB list lacks; the list is otherwise very English.
EXTRA_FAMILY_NAMES = (
    "Patel", "Khan", "Ahmed", "Ali", "Hussain", "Begum", "Singh", "Kaur", "Shah", "Sharma",
    "Chowdhury", "Rahman", "Iqbal", "Mahmood", "Akhtar", "Nowak", "Kowalski", "Wiśniewski",
    "Murphy", "Kelly", "Byrne", "MacDonald", "Campbell", "Stewart", "Robertson", "Fraser",
    "Okafor", "Mensah", "Adeyemi", "Okoye", "Asante", "Boateng", "Nguyen", "Chen", "Wong",
    "Li", "Kaya", "Yilmaz", "Rossi", "Costa", "Silva", "Santos", "Ferreira", "Papadopoulos",
    "Llewellyn", "Pritchard", "Rees", "Jenkins", "Evans", "Price",
)  # fmt: skip
EXTRA_GIVEN_NAMES = (
    "Aisha", "Amira", "Fatima", "Priya", "Asha", "Zara", "Noor", "Mariam", "Anika", "Chloe",
    "Zoë", "Siobhán", "Niamh", "Aoife", "Eilidh", "Seren", "Ffion", "Agnieszka", "Chiamaka",
    "Mohammed", "Omar", "Yusuf", "Arjun", "Rohan", "Ravi", "Imran", "Hamza", "Kwame",
    "Tomasz", "Piotr", "Ciarán", "Seán", "Rhys", "Dylan", "Callum", "Ewan", "Hamish", "Kofi",
)  # fmt: skip


@dataclass(frozen=True)
class Town:
    name: str
    area: str  # postcode area letters, e.g. "LS"
    districts: tuple[int, ...]
    dialling_code: str  # national form with the trunk 0, e.g. "0113"
    weight: int


# A spread of UK towns and cities, weighted roughly by population.
TOWNS: tuple[Town, ...] = tuple(
    Town(name, area, tuple(districts), code, weight)
    for name, area, districts, code, weight in (
        ("London", "SW", range(1, 21), "020", 20),
        ("London", "SE", range(1, 29), "020", 20),
        ("London", "N", range(1, 23), "020", 14),
        ("London", "E", range(1, 19), "020", 14),
        ("London", "NW", range(1, 12), "020", 10),
        ("London", "W", range(2, 15), "020", 10),
        ("Manchester", "M", range(1, 41), "0161", 18),
        ("Birmingham", "B", range(1, 49), "0121", 18),
        ("Leeds", "LS", range(1, 30), "0113", 12),
        ("Sheffield", "S", range(1, 37), "0114", 9),
        ("Bristol", "BS", range(1, 17), "0117", 9),
        ("Liverpool", "L", range(1, 39), "0151", 9),
        ("Newcastle upon Tyne", "NE", range(1, 16), "0191", 7),
        ("Sunderland", "SR", range(1, 7), "0191", 4),
        ("Nottingham", "NG", range(1, 18), "0115", 6),
        ("Leicester", "LE", range(1, 10), "0116", 6),
        ("Coventry", "CV", range(1, 7), "024", 5),
        ("Bradford", "BD", range(1, 16), "01274", 5),
        ("Cardiff", "CF", range(3, 25), "029", 6),
        ("Swansea", "SA", range(1, 10), "01792", 3),
        ("Edinburgh", "EH", range(1, 18), "0131", 8),
        ("Glasgow", "G", range(1, 54), "0141", 10),
        ("Aberdeen", "AB", range(10, 26), "01224", 3),
        ("Dundee", "DD", range(1, 6), "01382", 2),
        ("Belfast", "BT", range(1, 18), "028", 5),
        ("Southampton", "SO", range(14, 20), "023", 4),
        ("Portsmouth", "PO", range(1, 7), "023", 3),
        ("Brighton", "BN", range(1, 4), "01273", 4),
        ("Plymouth", "PL", range(1, 10), "01752", 3),
        ("Exeter", "EX", range(1, 5), "01392", 2),
        ("Norwich", "NR", range(1, 8), "01603", 2),
        ("Cambridge", "CB", range(1, 6), "01223", 2),
        ("Oxford", "OX", range(1, 5), "01865", 2),
        ("Reading", "RG", range(1, 7), "0118", 3),
        ("York", "YO", (1, 10, 23, 24, 26, 30, 31, 32), "01904", 2),
        ("Hull", "HU", range(1, 10), "01482", 3),
        ("Derby", "DE", range(1, 25), "01332", 3),
        ("Stoke-on-Trent", "ST", range(1, 7), "01782", 3),
        ("Wolverhampton", "WV", range(1, 15), "01902", 3),
        ("Preston", "PR", range(1, 6), "01772", 2),
        ("Bolton", "BL", range(1, 8), "01204", 2),
        ("Milton Keynes", "MK", range(1, 20), "01908", 3),
        ("Northampton", "NN", range(1, 6), "01604", 2),
        ("Luton", "LU", range(1, 5), "01582", 2),
        ("Ipswich", "IP", range(1, 6), "01473", 2),
        ("Gloucester", "GL", range(1, 5), "01452", 2),
        ("Bath", "BA", range(1, 3), "01225", 1),
        ("Middlesbrough", "TS", range(1, 9), "01642", 2),
        ("Carlisle", "CA", range(1, 4), "01228", 1),
        ("Lincoln", "LN", range(1, 7), "01522", 1),
        ("Inverness", "IV", range(1, 4), "01463", 1),
        ("Stirling", "FK", range(7, 10), "01786", 1),
        ("Wrexham", "LL", range(11, 15), "01978", 1),
        ("Chester", "CH", range(1, 5), "01244", 1),
        ("Canterbury", "CT", range(1, 3), "01227", 1),
        ("Huddersfield", "HD", range(1, 6), "01484", 2),
        ("Blackpool", "FY", range(1, 5), "01253", 1),
        ("Bournemouth", "BH", range(1, 12), "01202", 2),
        ("Swindon", "SN", range(1, 6), "01793", 2),
        ("Worcester", "WR", range(1, 6), "01905", 1),
        ("Peterborough", "PE", range(1, 5), "01733", 2),
        ("Colchester", "CO", range(1, 5), "01206", 1),
        ("Salisbury", "SP", range(1, 3), "01722", 1),
    )
)

STREET_WORDS = (
    "Church", "Station", "Victoria", "Park", "Mill", "High", "King", "Queen", "Albert",
    "York", "Manor", "Chapel", "Grange", "Westfield", "Oak", "Elm", "Beech", "Ash", "Willow",
    "Cedar", "Meadow", "Orchard", "Springfield", "Highfield", "Woodland", "Kingsway", "Windsor",
    "Clarence", "Stanley", "Balmoral", "Marlborough", "Nelson", "Wellington", "Gladstone",
    "Cromwell", "Tennyson", "Shakespeare", "Milton", "Newton", "Darwin", "Brunel", "Telford",
    "Riverside", "Brookside", "Hillside", "Moor", "Green", "Bridge", "Market", "Castle",
    "Abbey", "Priory", "Rectory", "Vicarage", "School", "Hawthorn", "Rowan", "Holly", "Laurel",
    "Chestnut", "Sycamore", "Larch", "Poplar", "Heather", "Primrose", "Bluebell", "Foxglove",
    "Thornton", "Ashfield", "Broadway", "Fairfield", "Greenway", "Lime", "Maple", "Pine",
)  # fmt: skip
STREET_SUFFIXES = (
    ("Road", 30), ("Street", 20), ("Lane", 10), ("Avenue", 8), ("Close", 8), ("Drive", 6),
    ("Crescent", 5), ("Gardens", 4), ("Way", 4), ("Grove", 3), ("Terrace", 3), ("Place", 2),
    ("Court", 2), ("Walk", 1), ("Mews", 1),
)  # fmt: skip

EMAIL_DOMAINS = (
    ("gmail.com", 30), ("hotmail.co.uk", 14), ("outlook.com", 12), ("yahoo.co.uk", 9),
    ("btinternet.com", 10), ("icloud.com", 8), ("sky.com", 6), ("live.co.uk", 4),
    ("virginmedia.com", 5), ("talktalk.net", 2),
)  # fmt: skip

# Mobile ranges for generated customers. 07700 is left out: its 900xxx block is Ofcom's range
# for drama, kept for the stories so a demo search finds exactly one customer.
MOBILE_PREFIXES = tuple(
    f"{block}{digit}"
    for block in (74, 75, 77, 78, 79)
    for digit in range(10)
    if block * 10 + digit not in (770, 791)
)
# First digit of the local number that libphonenumber accepts as allocated, per dialling code;
# codes not listed take 2-9.
LOCAL_FIRST_DIGITS = {
    "0113": "23458", "0114": "2345", "0115": "26789", "0116": "234", "0117": "2349",
    "0118": "2349", "0121": "234567", "0131": "2345678", "020": "3478", "023": "89",
    "024": "7", "028": "2346789", "029": "2",
}  # fmt: skip

MALE_TITLES = (("Mr", 90), ("Dr", 3), ("", 7))
FEMALE_TITLES = (("Mrs", 40), ("Ms", 25), ("Miss", 22), ("Dr", 3), ("Mx", 1), ("", 9))


class Weighted(Generic[T]):
    """Items with integer weights, expanded once so a pick is one `rng.choice`."""

    def __init__(self, pairs: Sequence[tuple[T, int]]) -> None:
        self.table: tuple[T, ...] = tuple(
            itertools.chain.from_iterable([item] * weight for item, weight in pairs)
        )

    def pick(self, rng: random.Random) -> T:
        return self.table[int(rng.random() * len(self.table))]


@dataclass(frozen=True)
class NamePools:
    male: tuple[str, ...]
    female: tuple[str, ...]
    family: tuple[str, ...]
    keys: dict[str, str]  # name -> name_key(name), computed once
    ascii: dict[str, str]  # name -> letters only, lower case, for usernames and emails


def _ascii_letters(name: str) -> str:
    return "".join(ch for ch in name_key(name) if ch.isalpha() and ch.isascii())


@cache
def name_pools() -> NamePools:
    """Faker's en_GB name lists, read once (never a Faker call per row), plus a few additions."""
    person = Faker("en_GB").provider("faker.providers.person")
    assert person is not None
    male = tuple(dict.fromkeys(person.first_names_male))
    female = tuple(dict.fromkeys(person.first_names_female))
    extra_female = EXTRA_GIVEN_NAMES[:20]
    extra_male = EXTRA_GIVEN_NAMES[20:]
    family = tuple(dict.fromkeys((*person.last_names, *EXTRA_FAMILY_NAMES)))
    male += tuple(n for n in extra_male if n not in male)
    female += tuple(n for n in extra_female if n not in female)
    every = (*male, *female, *family)
    return NamePools(
        male=male,
        female=female,
        family=family,
        keys={n: name_key(n) for n in every},
        ascii={n: _ascii_letters(n) for n in every},
    )


@cache
def streets() -> tuple[str, ...]:
    """Street names: every word with every suffix, the common suffixes repeated by weight."""
    suffixes = Weighted(STREET_SUFFIXES).table
    return tuple(f"{word} {suffix}" for word in STREET_WORDS for suffix in suffixes)


@cache
def towns() -> Weighted[Town]:
    return Weighted([(town, town.weight) for town in TOWNS])


@cache
def email_domains() -> Weighted[str]:
    return Weighted(EMAIL_DOMAINS)


def pick(rng: random.Random, items: Sequence[T]) -> T:
    """One item, uniformly: `rng.choice` without its checks, for the hot loops."""
    return items[int(rng.random() * len(items))]


def postcode(rng: random.Random, town: Town) -> str:
    """A real-looking full postcode in the town's area, already in `format_postcode` form."""
    district = town.districts[int(rng.random() * len(town.districts))]
    letters = INWARD_LETTERS
    return (
        f"{town.area}{district} {int(rng.random() * 10)}"
        f"{letters[int(rng.random() * 20)]}{letters[int(rng.random() * 20)]}"
    )


def mobile_e164(rng: random.Random) -> str:
    """A UK mobile (07xxx xxxxxx) in E.164, equal to what `phone_e164` gives for it."""
    prefix = MOBILE_PREFIXES[int(rng.random() * len(MOBILE_PREFIXES))]
    return f"+44{prefix}{rng.randrange(10_000_000):07d}"  # 7 + 3 + 7 = 10 significant digits


def landline_e164(rng: random.Random, town: Town) -> str:
    """A geographic number in the town's dialling code: 11 digits nationally, first local digit 2-9."""
    code = town.dialling_code[1:]
    local_len = 10 - len(code)
    firsts = LOCAL_FIRST_DIGITS.get(town.dialling_code, "23456789")
    first = firsts[int(rng.random() * len(firsts))]
    rest = rng.randrange(10 ** (local_len - 1))
    return f"+44{code}{first}{rest:0{local_len - 1}d}"


def national_form(e164: str) -> str:
    """`+441134960000` as a person would read it out (`01134960000`), to check against phone_e164."""
    assert e164.startswith("+44")
    return "0" + e164[3:]
