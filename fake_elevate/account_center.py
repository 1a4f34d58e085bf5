"""LinkedIn Account Center: SCIM configurations, access tokens and licence pools.

Tutorial steps 1-6 (linkedin-scim.md §6): Admin > Admin Settings > Advanced
Integrations > "+ Add new SCIM configuration" > "Generate token". The token is
shown once, under "Access token", and kept only as a hash (the running process also
holds the tokens it has issued or accepted, in memory only, to check each request without
hashing it: :meth:`AccountCenter.authenticate`).
"""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .persistence import SqliteState

#: linkedin-scim.md §2: the Sales Navigator token stays valid two years; the
#: same is assumed for Elevate (unconfirmed there), so it is a setting.
DEFAULT_TOKEN_LIFETIME = timedelta(days=730)

LicenseState = Literal["Licensed", "NoLicenseAvailable", "Unlicensed", "Revoked"]


class AccountCenterError(ValueError):
    """A refused Account Center action; ``status`` is the HTTP status the admin API answers with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class TokenRefused(Exception):
    """The bearer token is missing, unknown, revoked or expired; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class ScimConfiguration:
    """One "SCIM configuration" row in Advanced Integrations."""

    id: str
    name: str
    auto_assign_licenses: bool
    application_instance: str
    license_type: str
    created: datetime
    token_hash: bytes | None = None
    token_created: datetime | None = None
    token_expires: datetime | None = None
    #: How many tokens this configuration has had; the newest is the only valid one.
    token_generation: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "autoAssignLicenses": self.auto_assign_licenses,
            "applicationInstance": self.application_instance,
            "licenseType": self.license_type,
            "created": _iso(self.created),
            "hasToken": self.token_hash is not None,
            "tokenCreated": _iso(self.token_created) if self.token_created else None,
            "tokenExpires": _iso(self.token_expires) if self.token_expires else None,
        }


@dataclass
class LicensePool:
    """Seats of one licence type on one application instance."""

    application_instance: str
    license_type: str
    seats: int
    holders: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str, str]:
        return (self.application_instance, self.license_type)

    @property
    def used(self) -> int:
        return len(self.holders)

    @property
    def available(self) -> int:
        return max(self.seats - self.used, 0)

    def to_json(self) -> dict[str, object]:
        return {
            "applicationInstance": self.application_instance,
            "licenseType": self.license_type,
            "seats": self.seats,
            "used": self.used,
            "available": self.available,
        }


@dataclass(slots=True)
class LicensedUser:
    """Account Center's view of one SCIM-provisioned user."""

    user_id: str
    user_name: str
    configuration_id: str | None
    active: bool
    state: LicenseState
    pool: tuple[str, str] | None = None
    #: linkedin-scim.md §1: SCIM users are labelled "IdP" in the admin centre.
    source: str = "IdP"

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.user_id,
            "userName": self.user_name,
            "source": self.source,
            "active": self.active,
            "licenseState": self.state,
            "applicationInstance": self.pool[0] if self.pool else None,
            "licenseType": self.pool[1] if self.pool else None,
            "scimConfiguration": self.configuration_id,
        }


def _iso(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def hash_token(token: str) -> bytes:
    """SHA-256 (FIPS 180-4) of the token's UTF-8 bytes: what is kept, and stored with ``--db``.

    Tokens are 256-bit random values, so one SHA-256 is enough: there is nothing to
    brute-force that a slow KDF would protect. A request's token is hashed only when the
    process does not know it yet (a token loaded from ``--db``, or an unknown one):
    :meth:`AccountCenter.authenticate` compares known tokens directly, in constant time.
    """
    return hashlib.sha256(token.encode("utf-8")).digest()


class AccountCenter:
    """SCIM configurations, tokens and licence pools of one LinkedIn account.

    Thread-safe: the web layer may call it from several threads at once.
    """

    def __init__(
        self,
        now: Callable[[], datetime],
        *,
        rng: random.Random | None = None,
        token_lifetime: timedelta = DEFAULT_TOKEN_LIFETIME,
        persistence: SqliteState | None = None,
    ) -> None:
        self._now = now
        self._persistence = persistence
        # A seeded generator makes simulations repeatable; without one, tokens
        # come from the operating system's CSPRNG.
        self._rng = rng
        self.token_lifetime = token_lifetime
        self._lock = threading.RLock()
        self._configurations: dict[str, ScimConfiguration] = {}
        self._by_hash: dict[bytes, str] = {}
        # The tokens this process has issued, installed or accepted, with the configuration
        # and token generation each belongs to: (token bytes, configuration, generation).
        # Replaced as a whole (under _lock) and read without it: authenticate() sees either
        # the old tuple or the new one, and re-checks the generation after comparing.
        self._known: tuple[tuple[bytes, ScimConfiguration, int], ...] = ()
        self._pools: dict[tuple[str, str], LicensePool] = {}
        # One key tuple per pool, shared by the records of its licence holders.
        self._pool_keys: dict[tuple[str, str], tuple[str, str]] = {}
        self._users: dict[str, LicensedUser] = {}
        self._seq = 0
        if persistence is not None:
            self._load(persistence)

    # --- SCIM configurations -------------------------------------------------------------------

    def add_scim_configuration(
        self,
        name: str,
        *,
        auto_assign_licenses: bool = True,
        application_instance: str = "LinkedIn Elevate",
        license_type: str = "Elevate",
    ) -> ScimConfiguration:
        name = (name or "").strip()
        if not name:
            raise AccountCenterError("A SCIM configuration needs a name")
        if auto_assign_licenses and not (application_instance.strip() and license_type.strip()):
            raise AccountCenterError(
                "Auto-assign licenses needs an application instance and a license type"
            )
        with self.transaction(), self._lock:
            self._seq += 1
            config = ScimConfiguration(
                id=f"scim-config-{self._seq}",
                name=name,
                auto_assign_licenses=auto_assign_licenses,
                application_instance=application_instance.strip(),
                license_type=license_type.strip(),
                created=self._now(),
            )
            self._configurations[config.id] = config
            self._save_config(config)
            return config

    def scim_configurations(self) -> list[ScimConfiguration]:
        with self._lock:
            return list(self._configurations.values())

    def scim_configuration(self, config_id: str) -> ScimConfiguration:
        with self._lock:
            try:
                return self._configurations[config_id]
            except KeyError:
                raise AccountCenterError(f"No SCIM configuration {config_id!r}", 404) from None

    def update_scim_configuration(
        self, config_id: str, *, auto_assign_licenses: bool | None = None
    ) -> ScimConfiguration:
        with self.transaction(), self._lock:
            config = self.scim_configuration(config_id)
            if auto_assign_licenses is not None:
                config.auto_assign_licenses = auto_assign_licenses
            self._save_config(config)
            return config

    def remove_scim_configuration(self, config_id: str) -> None:
        """Remove a configuration; its token stops working at once."""
        with self.transaction(), self._lock:
            config = self.scim_configuration(config_id)
            if config.token_hash is not None:
                self._by_hash.pop(config.token_hash, None)
            del self._configurations[config_id]
            self._forget(config)
            if self._persistence is not None:
                self._persistence.delete_record("configuration", config_id)

    # --- tokens --------------------------------------------------------------------------------

    def generate_token(self, config_id: str) -> str:
        """Generate (or regenerate) the access token; the previous one is revoked at once.

        The value is returned once and only its hash is kept.
        """
        with self.transaction(), self._lock:
            config = self.scim_configuration(config_id)
            token = self._new_token()
            if config.token_hash is not None:
                self._by_hash.pop(config.token_hash, None)
            config.token_hash = hash_token(token)
            config.token_created = self._now()
            config.token_expires = config.token_created + self.token_lifetime
            config.token_generation += 1
            self._by_hash[config.token_hash] = config.id
            self._remember(token, config)
            self._save_config(config)
            return token

    def install_token(self, config_id: str, token: str) -> None:
        """Use a token chosen by the operator (``provisim serve elevate --token``)."""
        if len(token) < 16:
            raise AccountCenterError("A chosen token must be at least 16 characters long")
        with self.transaction(), self._lock:
            config = self.scim_configuration(config_id)
            if config.token_hash is not None:
                self._by_hash.pop(config.token_hash, None)
            config.token_hash = hash_token(token)
            config.token_created = self._now()
            config.token_expires = config.token_created + self.token_lifetime
            config.token_generation += 1
            self._by_hash[config.token_hash] = config.id
            self._remember(token, config)
            self._save_config(config)

    def _new_token(self) -> str:
        if self._rng is None:
            return secrets.token_urlsafe(32)
        return "".join(self._rng.choice(_TOKEN_ALPHABET) for _ in range(43))

    def _remember(self, token: str, config: ScimConfiguration) -> None:
        """Know ``token`` as ``config``'s current one (under _lock); its previous one is dropped."""
        kept = tuple(entry for entry in self._known if entry[1] is not config)
        self._known = (*kept, (token.encode("utf-8"), config, config.token_generation))

    def _forget(self, config: ScimConfiguration) -> None:
        self._known = tuple(entry for entry in self._known if entry[1] is not config)

    def authenticate(self, token: str | None) -> ScimConfiguration:
        """Return the configuration a bearer token belongs to, or raise TokenRefused.

        A known token (issued, installed or accepted before by this process) is found
        without hashing: the presented bytes are compared with every known token by
        ``hmac.compare_digest`` (constant time, and all of them, so the position of a
        match leaks nothing either). Revocation is immediate: regenerating, installing
        or removing replaces the known tokens and bumps the generation under the lock
        before it returns, and a match counts only if its configuration is still there
        with the generation it was remembered at. Other tokens take the hashed path.
        """
        if not token:
            raise TokenRefused("missing bearer token")
        presented_bytes = token.encode("utf-8")
        match: tuple[ScimConfiguration, int] | None = None
        for known, known_config, generation in self._known:
            if hmac.compare_digest(known, presented_bytes):
                match = (known_config, generation)
        if match is not None:
            config, generation = match
            if (
                config.token_generation == generation
                and self._configurations.get(config.id) is config
            ):
                if config.token_expires is not None and self._now() >= config.token_expires:
                    raise TokenRefused(
                        "the token has expired; generate a new one in Account Center"
                    )
                return config
        return self._authenticate_by_hash(token)

    def _authenticate_by_hash(self, token: str) -> ScimConfiguration:
        presented = hash_token(token)
        with self._lock:
            config_id = self._by_hash.get(presented)
            config = self._configurations.get(config_id) if config_id else None
            # Compare in constant time so the hash lookup leaks nothing either.
            if (
                config is None
                or config.token_hash is None
                or not hmac.compare_digest(config.token_hash, presented)
            ):
                raise TokenRefused("the token is not valid: unknown, regenerated or removed")
            if config.token_expires is not None and self._now() >= config.token_expires:
                raise TokenRefused("the token has expired; generate a new one in Account Center")
            self._remember(token, config)
            return config

    # --- licence pools -------------------------------------------------------------------------

    def set_license_pool(
        self, application_instance: str, license_type: str, seats: int
    ) -> LicensePool:
        if seats < 0:
            raise AccountCenterError("A licence pool cannot have a negative number of seats")
        with self.transaction(), self._lock:
            key = (application_instance, license_type)
            pool = self._pools.get(key)
            if pool is None:
                pool = self._pools[key] = LicensePool(application_instance, license_type, seats)
            else:
                pool.seats = seats
            self._save_pool(pool)
            return pool

    def license_pools(self) -> list[LicensePool]:
        with self._lock:
            return list(self._pools.values())

    def license_pool(self, application_instance: str, license_type: str) -> LicensePool | None:
        with self._lock:
            return self._pools.get((application_instance, license_type))

    def users(self) -> list[LicensedUser]:
        with self._lock:
            return list(self._users.values())

    def user(self, user_id: str) -> LicensedUser | None:
        with self._lock:
            return self._users.get(user_id)

    # --- persistence -------------------------------------------------------------------------

    def transaction(self) -> AbstractContextManager[None]:
        """One durable transaction when persisting, else nothing.

        Every write enters it before taking ``_lock``: the store, whose writes run in
        worker threads, holds the transaction when it calls user_written, so the
        other order would let an admin call and a SCIM write wait on each other.
        """
        return self._persistence.transaction() if self._persistence is not None else nullcontext()

    def _writing(self) -> AbstractContextManager[Any]:
        """``transaction()`` then ``_lock``, as every write enters them; in memory, the lock
        alone (there is no transaction to enter)."""
        if self._persistence is None:
            return self._lock
        return _transaction_then_lock(self._persistence, self._lock)

    def _save_config(self, config: ScimConfiguration) -> None:
        if self._persistence is not None:
            with self._persistence.transaction():
                self._persistence.put_record("configuration", config.id, _config_record(config))
                self._persistence.put_record("meta", "sequence", {"value": self._seq})

    def _save_pool(self, pool: LicensePool) -> None:
        if self._persistence is not None:
            self._persistence.put_record(
                "license_pool",
                f"{pool.application_instance}\x1f{pool.license_type}",
                {
                    "application_instance": pool.application_instance,
                    "license_type": pool.license_type,
                    # Holders are not stored here: each licensed user names its pool.
                    "seats": pool.seats,
                },
            )

    def _save_user(self, record: LicensedUser) -> None:
        if self._persistence is not None:
            self._persistence.put_record(
                "licensed_user",
                record.user_id,
                {
                    "user_id": record.user_id,
                    "user_name": record.user_name,
                    "configuration_id": record.configuration_id,
                    "active": record.active,
                    "state": record.state,
                    "pool": list(record.pool) if record.pool else None,
                },
            )

    def _load(self, persistence: SqliteState) -> None:
        for row in persistence.records("meta"):
            self._seq = max(self._seq, int(row.get("value", 0)))
        for row in persistence.records("configuration"):
            config = _config_from(row)
            self._configurations[config.id] = config
            if config.token_hash is not None:
                self._by_hash[config.token_hash] = config.id
        for row in persistence.records("license_pool"):
            pool = LicensePool(row["application_instance"], row["license_type"], row["seats"])
            self._pools[pool.key] = pool
        for row in persistence.records("licensed_user"):
            pool_key = tuple(row["pool"]) if row["pool"] else None
            self._users[row["user_id"]] = LicensedUser(
                row["user_id"],
                row["user_name"],
                row["configuration_id"],
                row["active"],
                row["state"],
                pool_key,
            )
            if pool_key in self._pools:
                self._pools[pool_key].holders.add(row["user_id"])

    # --- reactions to SCIM writes (called by the store under its own lock) ----------------------

    def user_written(
        self, user_id: str, user_name: str, active: bool, config: ScimConfiguration | None
    ) -> None:
        """A user was created or changed through SCIM: apply the licence rules.

        linkedin-scim.md §3: with auto-assign on, seats go first come, first
        served; a user created when none is left is still created, without a
        licence. Deactivation frees the seat; reactivation runs auto-assignment
        again. With auto-assign off only user data syncs.
        """
        with self._writing():
            self._save_user(self._apply_licence_rules(user_id, user_name, active, config))

    def _apply_licence_rules(
        self, user_id: str, user_name: str, active: bool, config: ScimConfiguration | None
    ) -> LicensedUser:
        record = self._users.get(user_id)
        if record is None:
            record = LicensedUser(
                user_id, user_name, config.id if config else None, active, "Unlicensed"
            )
            self._users[user_id] = record
        if record.user_name != user_name:  # else keep the string it holds (memory)
            record.user_name = user_name
        was_active = record.active
        record.active = active
        if not active:
            if record.pool is not None:
                self._release(record)
                record.state = "Revoked"
            return record
        if record.pool is not None or (was_active and record.state == "Licensed"):
            return record
        if config is None or not config.auto_assign_licenses:
            if record.state != "NoLicenseAvailable":
                record.state = "Unlicensed"
            return record
        record.configuration_id = config.id
        self._assign(record, config)
        return record

    def user_deleted(self, user_id: str) -> None:
        with self.transaction(), self._lock:
            record = self._users.pop(user_id, None)
            if record is None:
                return
            if record.pool is not None:
                self._release(record)
            if self._persistence is not None:
                self._persistence.delete_record("licensed_user", user_id)

    def _assign(self, record: LicensedUser, config: ScimConfiguration) -> None:
        pool = self._pools.get((config.application_instance, config.license_type))
        if pool is None or pool.available == 0:
            record.state = "NoLicenseAvailable"
            return
        pool.holders.add(record.user_id)
        key = pool.key
        record.pool = self._pool_keys.setdefault(key, key)
        record.state = "Licensed"

    def _release(self, record: LicensedUser) -> None:
        pool = self._pools.get(record.pool) if record.pool else None
        if pool is not None:
            pool.holders.discard(record.user_id)
        record.pool = None


# --- persistence (provisim serve elevate --db) ---------------------------------------------------


@contextmanager
def _transaction_then_lock(persistence: SqliteState, lock: threading.RLock) -> Iterator[None]:
    with persistence.transaction(), lock:
        yield


def _config_record(config: ScimConfiguration) -> dict[str, Any]:
    return {
        "id": config.id,
        "name": config.name,
        "auto_assign_licenses": config.auto_assign_licenses,
        "application_instance": config.application_instance,
        "license_type": config.license_type,
        "created": config.created.isoformat(),
        # Only the token's hash is ever stored.
        "token_hash": config.token_hash.hex() if config.token_hash else None,
        "token_created": config.token_created.isoformat() if config.token_created else None,
        "token_expires": config.token_expires.isoformat() if config.token_expires else None,
        "token_generation": config.token_generation,
    }


def _config_from(record: dict[str, Any]) -> ScimConfiguration:
    def when(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value) if value else None

    return ScimConfiguration(
        id=record["id"],
        name=record["name"],
        auto_assign_licenses=record["auto_assign_licenses"],
        application_instance=record["application_instance"],
        license_type=record["license_type"],
        created=datetime.fromisoformat(record["created"]),
        token_hash=bytes.fromhex(record["token_hash"]) if record["token_hash"] else None,
        token_created=when(record["token_created"]),
        token_expires=when(record["token_expires"]),
        token_generation=record["token_generation"],
    )


_TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
