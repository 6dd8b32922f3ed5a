"""Names, e-mail addresses and Salesforce-style ids. Everything is drawn from fixed lists by index."""

from __future__ import annotations

import numpy as np

COMPANY_FIRST = (
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Wonka",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Hooli",
    "Vandelay",
    "Aperture",
    "Massive",
    "Pied Piper",
    "Gringotts",
    "Oscorp",
    "Nakatomi",
    "Blue Sun",
    "Monarch",
    "Vehement",
    "Duff",
    "Dunder",
    "Sterling",
    "Bluth",
    "Prestige",
    "Virtucon",
    "Zorg",
    "Ajax",
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Tailspin",
    "Litware",
    "Proseware",
    "Adventure",
    "Wingtip",
    "Lucerne",
    "Fourth Coffee",
    "Alpine",
    "Coho",
    "Margie",
    "Trey",
    "Woodgrove",
    "Humongous",
    "Graphic",
    "Olympus",
    "Helios",
    "Orbital",
    "Quantum",
    "Summit",
    "Harbor",
    "Cobalt",
    "Juniper",
    "Redwood",
    "Granite",
    "Falcon",
)
COMPANY_SECOND = (
    "Analytics",
    "Logistics",
    "Health",
    "Robotics",
    "Foods",
    "Energy",
    "Media",
    "Labs",
    "Systems",
    "Capital",
    "Retail",
    "Software",
    "Bio",
    "Motors",
    "Insurance",
    "Networks",
    "Travel",
    "Learning",
    "Security",
    "Studios",
)
COMPANY_SUFFIX = ("Inc", "LLC", "Ltd", "GmbH", "Group", "Co", "& Sons", "Partners")
REGIONS = ("EMEA", "APAC", "North America", "LATAM")
INDUSTRIES = (
    "Software",
    "Financial Services",
    "Healthcare",
    "Retail",
    "Manufacturing",
    "Education",
    "Media",
    "Logistics",
    "Energy",
    "Professional Services",
)
FIRST_NAMES = (
    "Ava",
    "Ben",
    "Chloe",
    "David",
    "Emma",
    "Farah",
    "George",
    "Hana",
    "Ivan",
    "Julia",
    "Kenji",
    "Lena",
    "Mateo",
    "Nora",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Uma",
    "Victor",
    "Wei",
    "Xena",
    "Yusuf",
    "Zoe",
    "Ahmed",
    "Bianca",
    "Carlos",
    "Daria",
    "Elif",
    "Felix",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kofi",
    "Lucia",
    "Mei",
    "Nils",
    "Olga",
    "Pablo",
    "Rania",
    "Sven",
    "Tomas",
    "Valeria",
    "Yara",
    "Zane",
)
LAST_NAMES = (
    "Smith",
    "Garcia",
    "Chen",
    "Muller",
    "Rossi",
    "Kowalski",
    "Nguyen",
    "Okafor",
    "Silva",
    "Tanaka",
    "Johansson",
    "Dubois",
    "Kim",
    "Patel",
    "Novak",
    "Ibrahim",
    "Murphy",
    "Costa",
    "Schmidt",
    "Haddad",
    "Larsen",
    "Moreau",
    "Yilmaz",
    "Fischer",
    "Santos",
    "Ito",
    "Walsh",
    "Popescu",
    "Horvat",
    "Jensen",
)
SUCCESS_MANAGERS = (
    "Alex Morgan",
    "Priya Raman",
    "Jordan Lee",
    "Maria Santos",
    "Tom Becker",
    "Grace Okoye",
)
TITLES_BY_ROLE = {
    "Champion": ("Operations Manager", "Head of Analytics", "Product Owner", "Team Lead"),
    "Executive Sponsor": ("VP Operations", "Chief Operating Officer", "CTO", "VP Customer Experience"),
    "Admin": ("IT Administrator", "Systems Administrator", "Platform Engineer"),
    "User": ("Analyst", "Specialist", "Coordinator", "Engineer", "Consultant"),
}

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def sf_id(prefix: str, number: int, seed: int) -> str:
    """An 18-character Salesforce id: key prefix, pod '5g', a unique 9-char body and the case-safe suffix.

    The body is a bijection of number (for a given prefix and seed): ids are unique per object and stable.
    """
    salt = int.from_bytes(prefix.encode(), "big") * 7_919 + (seed % 1_000_003) * 97_003
    value = (number * 2_654_435_761 + salt) % 62**9
    body = ""
    for _ in range(9):
        value, r = divmod(value, 62)
        body = _BASE62[r] + body
    id15 = f"{prefix}5g0{body}"
    return id15 + sf_suffix(id15)


def sf_suffix(id15: str) -> str:
    """Salesforce's checksum: one character per 5-char chunk encoding which characters are uppercase."""
    out = ""
    for chunk in range(3):
        bits = 0
        for i, ch in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= ch <= "Z":
                bits |= 1 << i
        out += _SUFFIX[bits]
    return out


def company_name(rng: np.random.Generator, taken: set[str]) -> str:
    """A unique company name; falls back to numbering when the word lists are exhausted."""
    for _ in range(20):
        name = (
            f"{COMPANY_FIRST[rng.integers(len(COMPANY_FIRST))]} "
            f"{COMPANY_SECOND[rng.integers(len(COMPANY_SECOND))]} "
            f"{COMPANY_SUFFIX[rng.integers(len(COMPANY_SUFFIX))]}"
        )
        if name not in taken:
            return name
    base, n = name, 2
    while f"{base} {n}" in taken:
        n += 1
    return f"{base} {n}"


def domain_for(name: str) -> str:
    slug = "".join(ch for ch in name.lower().split(" ")[0] + name.lower().split(" ")[1] if ch.isalnum())
    return f"{slug}.example.com"
