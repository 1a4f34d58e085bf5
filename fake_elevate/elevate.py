"""FakeElevate: one LinkedIn account, its Account Center and its SCIM service, wired together."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from .account import DEFAULT_MAX_PAYLOAD_SIZE, ElevateSettings
from .account_center import AccountCenter, ScimConfiguration
from .persistence import SqliteState
from .store import ScimStore

__all__ = ["DEFAULT_MAX_PAYLOAD_SIZE", "ElevateSettings", "FakeElevate"]


#: The wall clock, ``datetime.now(UTC)``: a partial, so reading it runs no Python frame
#: (every write stamps meta, every request checks its token's expiry).
_wall_clock: Callable[[], datetime] = partial(datetime.now, UTC)


#: uuid.UUID(int=n, version=4): variant bits 10, version nibble 4 (RFC 4122 §4.1.1, §4.4).
_UUID4_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_UUID4_SET = (0x8000 << 48) | (4 << 76)


def _seeded_ids(id_rng: random.Random) -> Callable[[], str]:
    """New ids, each ``uuid.UUID(int=id_rng.getrandbits(128), version=4).hex`` without
    building the UUID object."""
    bits = id_rng.getrandbits

    def new_id() -> str:
        return "%032x" % ((bits(128) & _UUID4_CLEAR) | _UUID4_SET)

    return new_id


class FakeElevate:
    """LinkedIn's side of the tutorial; an :class:`fake_elevate.account.ElevateAccount`.

    ``now`` is the clock (inject ``VirtualClock.now`` in simulations; the wall
    clock only when served for real). ``seed`` makes ids and tokens repeatable.
    """

    def __init__(
        self,
        *,
        now: Callable[[], datetime] = _wall_clock,
        seed: int | None = None,
        settings: ElevateSettings | None = None,
        admin_key: str | None = None,
        db: str | Path | None = None,
    ) -> None:
        self.settings = settings or ElevateSettings()
        self.now = now
        rng = random.Random(seed) if seed is not None else None
        #: With ``db``, every acknowledged write is in SQLite before the response goes out.
        self.persistence = SqliteState(db) if db is not None else None
        self.account_center = AccountCenter(
            now,
            rng=rng,
            token_lifetime=self.settings.token_lifetime,
            persistence=self.persistence,
        )
        new_id: Callable[[], str] | None = None
        if rng is not None:
            new_id = _seeded_ids(random.Random(rng.getrandbits(64)))
        self.store = ScimStore(
            now, self.account_center, new_id=new_id, persistence=self.persistence
        )
        #: When set, the Account Center admin API needs ``Authorization: Bearer <admin_key>``.
        self.admin_key = admin_key

    def quick_setup(
        self,
        *,
        name: str = "Entra ID provisioning",
        seats: int = 100,
        auto_assign_licenses: bool = True,
        token: str | None = None,
    ) -> tuple[ScimConfiguration, str]:
        """Tutorial steps 1-6 in one call: a SCIM configuration, a licence pool and a token."""
        config = self.account_center.add_scim_configuration(
            name, auto_assign_licenses=auto_assign_licenses
        )
        self.account_center.set_license_pool(
            config.application_instance, config.license_type, seats
        )
        if token is None:
            token = self.account_center.generate_token(config.id)
        else:
            self.account_center.install_token(config.id, token)
        return config, token

    def asgi_app(  # type: ignore[no-untyped-def]
        self,
        faults: Sequence[str] = (),
        fault_options: Mapping[str, Any] | None = None,
    ):
        """The ASGI app serving this account; with ``faults``, wrapped in those fault
        profiles (:mod:`fake_elevate.faults`), configured by ``fault_options``."""
        # Imported here, not at the top: FastAPI takes ~0.4 s to import, and simulations
        # that never serve HTTP should not pay it. (No cycle: app depends on .account.)
        from .app import create_app

        app = create_app(self)
        if not faults:
            return app
        from .faults import with_faults

        return with_faults(app, *faults, **dict(fault_options or {}))
