"""A seeded generator of realistic Entra directories, of any size.

The same seed gives the same directory, ids included: object ids come from the
seeded ``random.Random`` (a UUID from ``getrandbits(128)``), never from
``uuid4``. Faker is seeded once and asked only for small *pools* of names,
addresses and job titles; each user then draws from the pools with the seeded
generator. Faker's weighted name providers cost about 50 µs a call, so calling
them per user would make 100,000 users take seconds instead of a fraction.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from faker import Faker

from fake_entra.directory import Directory, random_uuid4

#: Departments of a mid-size company; Faker has no department provider.
DEPARTMENTS: tuple[str, ...] = (
    "Engineering",
    "Sales",
    "Marketing",
    "Finance",
    "Human Resources",
    "Legal",
    "Operations",
    "Customer Support",
    "Product",
    "IT",
)

# Country calling codes for the phone numbers of the common Faker locales.
_CALLING_CODES: dict[str, str] = {
    "en_US": "+1",
    "en_CA": "+1",
    "en_GB": "+44",
    "en_IE": "+353",
    "en_AU": "+61",
    "en_IN": "+91",
    "de_DE": "+49",
    "fr_FR": "+33",
    "es_ES": "+34",
    "it_IT": "+39",
    "nl_NL": "+31",
    "pt_BR": "+55",
    "ja_JP": "+81",
}

# How often an optional attribute is left empty, so that mappings meet nulls
# ("Default value if null", IgnoreFlowIfNullOrEmpty) in every directory.
_NO_MOBILE = 0.3
_NO_FAX = 0.9
_NO_JOB_TITLE = 0.03
_NO_DEPARTMENT = 0.03


@dataclass(frozen=True, slots=True)
class GeneratedDirectory:
    """What :func:`build_directory` added, in creation order."""

    seed: int
    user_ids: tuple[str, ...]
    group_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Pools:
    # (name, its UPN-safe ASCII form), converted once per pool entry.
    first_names: tuple[tuple[str, str], ...]
    last_names: tuple[tuple[str, str], ...]
    job_titles: tuple[str, ...]
    streets: tuple[str, ...]
    places: tuple[tuple[str, str, str], ...]  # (city, state, postal code)
    offices: tuple[str, ...]
    words: tuple[str, ...]
    country: str | None


def build_directory(
    directory: Directory,
    users: int = 100,
    groups: int = 10,
    seed: int = 0,
    *,
    locale: str = "en_US",
    domain: str | None = None,
    disabled_fraction: float = 0.02,
    manager_span: int = 8,
    max_group_size: int = 50,
    nested_group_fraction: float = 0.1,
) -> GeneratedDirectory:
    """Add ``users`` users and ``groups`` groups to ``directory``.

    Users get a manager hierarchy (about one manager for every ``manager_span``
    users), ``disabled_fraction`` of them have ``accountEnabled`` false, and each
    group holds 1..``max_group_size`` direct users; ``nested_group_fraction`` of
    the groups also hold an earlier group, so that "direct members only" is
    exercised.
    """
    if users < 0 or groups < 0:
        raise ValueError("users and groups must be zero or more")
    if manager_span < 1 or max_group_size < 1:
        raise ValueError("manager_span and max_group_size must be at least 1")
    rng = random.Random(seed)
    pools = _build_pools(locale, seed, users)
    domain = (domain or directory.default_domain).lower()
    language = locale.replace("_", "-")
    calling_code = _CALLING_CODES.get(locale, "+1")
    first_employee_number = rng.randint(100_000, 500_000)

    user_ids: list[str] = []
    for index in range(users):
        object_id = random_uuid4(rng)
        given, given_ascii = rng.choice(pools.first_names)
        surname, surname_ascii = rng.choice(pools.last_names)
        nickname = _unique_nickname(directory, domain, f"{given_ascii}.{surname_ascii}")
        upn = f"{nickname}@{domain}"
        city, state, postal_code = rng.choice(pools.places)
        manager_id = user_ids[rng.randrange(max(1, index // manager_span))] if user_ids else None
        directory.add_user(
            upn,
            f"{given} {surname}",
            object_id=object_id,
            mail_nickname=nickname,
            manager_id=manager_id,
            given_name=given,
            surname=surname,
            mail=upn,
            job_title=None if rng.random() < _NO_JOB_TITLE else rng.choice(pools.job_titles),
            department=None if rng.random() < _NO_DEPARTMENT else rng.choice(DEPARTMENTS),
            employee_id=str(first_employee_number + index),
            account_enabled=rng.random() >= disabled_fraction,
            preferred_language=language,
            street_address=rng.choice(pools.streets),
            city=city,
            state=state,
            postal_code=postal_code,
            country=pools.country,
            physical_delivery_office_name=rng.choice(pools.offices),
            telephone_number=_phone(rng, calling_code),
            mobile=None if rng.random() < _NO_MOBILE else _phone(rng, calling_code),
            facsimile_telephone_number=None
            if rng.random() < _NO_FAX
            else _phone(rng, calling_code),
            proxy_addresses=(f"SMTP:{upn}",),
        )
        user_ids.append(object_id)

    group_ids: list[str] = []
    names = _group_names(rng, pools, groups)
    for name in names:
        object_id = random_uuid4(rng)
        members: list[str] = []
        if user_ids:
            size = rng.randint(1, min(max_group_size, len(user_ids)))
            members = rng.sample(user_ids, size)
        if group_ids and rng.random() < nested_group_fraction:
            members.append(rng.choice(group_ids))
        directory.add_group(name, object_id=object_id, members=members)
        group_ids.append(object_id)

    return GeneratedDirectory(seed, tuple(user_ids), tuple(group_ids))


def _build_pools(locale: str, seed: int, users: int) -> _Pools:
    fake = Faker(locale)
    fake.seed_instance(seed)
    # Pools grow with the directory up to a cap, so that small directories stay
    # cheap and large ones still draw from up to 1000 x 1000 name pairs. Faker
    # weights names by frequency, so pools repeat common names, as life does.
    name_pool = max(20, min(1000, users))
    place_pool = max(5, min(200, users // 10))
    try:
        country: str | None = fake.current_country()
    except (AttributeError, ValueError):
        country = None
    first_names = [fake.first_name() for _ in range(name_pool)]
    last_names = [fake.last_name() for _ in range(name_pool)]
    places = tuple((fake.city(), _state(fake), fake.postcode()) for _ in range(place_pool))
    return _Pools(
        first_names=tuple((name, _ascii(name)) for name in first_names),
        last_names=tuple((name, _ascii(name)) for name in last_names),
        job_titles=tuple(fake.job() for _ in range(max(10, min(300, users)))),
        streets=tuple(fake.street_address() for _ in range(max(10, min(500, users)))),
        places=places,
        offices=tuple(
            f"{city} {suffix}"
            for (city, _, _), suffix in zip(
                places[:10], ("HQ", "Campus", "Office", "Hub", "Center") * 2, strict=False
            )
        ),
        words=tuple(fake.unique.word() for _ in range(60)),
        country=country,
    )


def _state(fake: Faker) -> str:
    # Not every locale has states; fall back to its administrative unit.
    for provider in ("state", "administrative_unit", "region"):
        method = getattr(fake, provider, None)
        if method is not None:
            try:
                return str(method())
            except AttributeError:
                continue
    return ""


def _ascii(text: str) -> str:
    """Lower-case ASCII letters and digits only: a UPN-safe form of a name."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed.lower() if ch.isascii() and ch.isalnum()) or "user"


def _unique_nickname(directory: Directory, domain: str, base: str) -> str:
    nickname, suffix = base, 1
    while directory.find_user_by_upn(f"{nickname}@{domain}") is not None:
        suffix += 1
        nickname = f"{base}{suffix}"
    return nickname


def _phone(rng: random.Random, calling_code: str) -> str:
    # One draw per number: area 200-989, exchange 200-999, line 0000-9999.
    number = rng.randrange(790 * 800 * 10_000)
    area, rest = divmod(number, 800 * 10_000)
    exchange, line = divmod(rest, 10_000)
    return f"{calling_code} {area + 200} {exchange + 200} {line:04d}"


def _group_names(rng: random.Random, pools: _Pools, count: int) -> list[str]:
    """Distinct, plausible group names: SCIM matches groups on displayName."""
    candidates: Sequence[str] = (
        [f"{department} Team" for department in DEPARTMENTS]
        + [f"{city} Office" for city, _, _ in pools.places]
        + [f"Project {word.title()}" for word in pools.words]
    )
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        base = rng.choice(candidates)
        name, suffix = base, 1
        while name in seen:
            suffix += 1
            name = f"{base} {suffix}"
        seen.add(name)
        names.append(name)
    return names
