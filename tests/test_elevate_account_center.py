import hmac
import random
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from fake_elevate import account_center as account_center_module
from fake_elevate.account_center import (
    AccountCenter,
    AccountCenterError,
    TokenRefused,
    hash_token,
)
from fake_elevate.elevate import FakeElevate
from fake_entra.clock import VirtualClock


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def center(clock: VirtualClock) -> AccountCenter:
    return AccountCenter(clock.now, rng=random.Random(7))


def test_add_list_and_remove_several_configurations(center: AccountCenter) -> None:
    a = center.add_scim_configuration("Entra ID")
    b = center.add_scim_configuration("Second tenant", auto_assign_licenses=False)
    assert [c.name for c in center.scim_configurations()] == ["Entra ID", "Second tenant"]
    center.remove_scim_configuration(a.id)
    assert [c.id for c in center.scim_configurations()] == [b.id]
    with pytest.raises(AccountCenterError) as refused:
        center.scim_configuration(a.id)
    assert refused.value.status == 404


def test_a_configuration_needs_a_name_and_a_pool_when_auto_assigning(center: AccountCenter) -> None:
    with pytest.raises(AccountCenterError, match="name"):
        center.add_scim_configuration("  ")
    with pytest.raises(AccountCenterError, match="application instance"):
        center.add_scim_configuration("x", auto_assign_licenses=True, application_instance="")


def test_generated_token_is_shown_once_and_kept_only_as_a_hash(center: AccountCenter) -> None:
    config = center.add_scim_configuration("Entra ID")
    token = center.generate_token(config.id)
    assert len(token) >= 43
    assert token not in repr(config) and token.encode() not in (config.token_hash or b"")
    assert center.authenticate(token) is config
    assert "hasToken" in config.to_json() and token not in str(config.to_json())


def test_regenerating_revokes_the_previous_token_at_once(center: AccountCenter) -> None:
    config = center.add_scim_configuration("Entra ID")
    old = center.generate_token(config.id)
    new = center.generate_token(config.id)
    assert old != new
    with pytest.raises(TokenRefused, match="regenerated"):
        center.authenticate(old)
    assert center.authenticate(new) is config


def test_removing_the_configuration_revokes_its_token(center: AccountCenter) -> None:
    config = center.add_scim_configuration("Entra ID")
    token = center.generate_token(config.id)
    center.remove_scim_configuration(config.id)
    with pytest.raises(TokenRefused):
        center.authenticate(token)


def test_tokens_expire_after_two_years_by_default(
    clock: VirtualClock, center: AccountCenter
) -> None:
    config = center.add_scim_configuration("Entra ID")
    token = center.generate_token(config.id)
    clock.advance(days=729)
    assert center.authenticate(token) is config
    clock.advance(days=1)
    with pytest.raises(TokenRefused, match="expired"):
        center.authenticate(token)


def test_token_lifetime_is_configurable(clock: VirtualClock) -> None:
    center = AccountCenter(clock.now, token_lifetime=timedelta(hours=1))
    config = center.add_scim_configuration("short")
    token = center.generate_token(config.id)
    clock.advance(minutes=61)
    with pytest.raises(TokenRefused, match="expired"):
        center.authenticate(token)


def test_missing_and_unknown_tokens_are_refused(center: AccountCenter) -> None:
    with pytest.raises(TokenRefused, match="missing"):
        center.authenticate("")
    with pytest.raises(TokenRefused):
        center.authenticate("not-a-token")


def test_seeded_tokens_repeat_and_unseeded_tokens_do_not(clock: VirtualClock) -> None:
    def first_token(center: AccountCenter) -> str:
        return center.generate_token(center.add_scim_configuration("x").id)

    assert first_token(AccountCenter(clock.now, rng=random.Random(1))) == first_token(
        AccountCenter(clock.now, rng=random.Random(1))
    )
    assert first_token(AccountCenter(clock.now)) != first_token(AccountCenter(clock.now))


def test_install_token_refuses_short_tokens(center: AccountCenter) -> None:
    config = center.add_scim_configuration("x")
    with pytest.raises(AccountCenterError, match="16"):
        center.install_token(config.id, "short")
    center.install_token(config.id, "a-chosen-token-0123456789")
    assert center.authenticate("a-chosen-token-0123456789") is config


def test_seats_go_first_come_first_served_and_overflow_is_visible(center: AccountCenter) -> None:
    config = center.add_scim_configuration("Entra ID")
    pool = center.set_license_pool(config.application_instance, config.license_type, 2)
    for i in range(3):
        center.user_written(f"u{i}", f"user{i}@contoso.com", True, config)
    states = {u.user_id: u.state for u in center.users()}
    assert states == {"u0": "Licensed", "u1": "Licensed", "u2": "NoLicenseAvailable"}
    assert (pool.used, pool.available) == (2, 0)
    assert all(u.source == "IdP" for u in center.users())


def test_deactivation_and_deletion_free_the_seat_and_reactivation_reassigns(
    center: AccountCenter,
) -> None:
    config = center.add_scim_configuration("Entra ID")
    pool = center.set_license_pool(config.application_instance, config.license_type, 1)
    center.user_written("u1", "a@contoso.com", True, config)
    center.user_written("u2", "b@contoso.com", True, config)
    assert center.user("u2").state == "NoLicenseAvailable"  # type: ignore[union-attr]
    center.user_written("u1", "a@contoso.com", False, config)
    assert center.user("u1").state == "Revoked" and pool.used == 0  # type: ignore[union-attr]
    # A freed seat is not pushed to a waiting user; it goes at that user's next write.
    center.user_written("u2", "b@contoso.com", True, config)
    assert center.user("u2").state == "Licensed"  # type: ignore[union-attr]
    center.user_written("u1", "a@contoso.com", True, config)
    assert center.user("u1").state == "NoLicenseAvailable"  # type: ignore[union-attr]
    center.user_deleted("u2")
    assert pool.used == 0 and center.user("u2") is None
    center.user_written("u1", "a@contoso.com", True, config)
    assert center.user("u1").state == "Licensed"  # type: ignore[union-attr]


def test_with_auto_assign_off_only_user_data_syncs(center: AccountCenter) -> None:
    config = center.add_scim_configuration("data only", auto_assign_licenses=False)
    pool = center.set_license_pool(config.application_instance, config.license_type, 5)
    center.user_written("u1", "a@contoso.com", True, config)
    assert center.user("u1").state == "Unlicensed" and pool.used == 0  # type: ignore[union-attr]


def test_license_pools_refuse_negative_seats(center: AccountCenter) -> None:
    with pytest.raises(AccountCenterError, match="negative"):
        center.set_license_pool("LinkedIn Elevate", "Elevate", -1)


@pytest.mark.parametrize(
    ("token", "digest"),
    [
        # FIPS 180-4 / NIST CSRC example: SHA-256("abc"), and the empty message.
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        # Digests an earlier version kept (with CPython's own _sha256): hashes stored in a
        # --db file by it still match, so its tokens keep working after an upgrade.
        (
            "transport-test-token-0123456789abcdef",
            "9a5a19e79a7156f3442c052975c74784fcb4330d85cc85220484fe71b1bbf501",
        ),
        ("ünïcødé-tøken-😀", "c79fd5cbfcb68a3bbf6a731bc7e40d55883e6bd4cf096b0d6a8f05057bb805c1"),
    ],
)
def test_token_hash_is_sha256_of_the_utf8_token(token: str, digest: str) -> None:
    assert hash_token(token) == bytes.fromhex(digest)


def test_a_token_that_is_not_unicode_text_cannot_be_hashed() -> None:
    with pytest.raises(UnicodeEncodeError):
        hash_token("lone surrogate \ud800")


def test_an_admin_write_and_a_scim_write_never_wait_on_each_other(tmp_path: Path) -> None:
    # The store's writes (in worker threads since issue 21) hold the persistence
    # transaction when they reach user_written, which takes the Account Center's lock.
    # An admin write that took the lock first and then waited for the transaction
    # would deadlock with it; every write now enters the transaction first.
    elevate = FakeElevate(seed=1, db=tmp_path / "elevate.db")
    config, _ = elevate.quick_setup(seats=5)
    persistence = elevate.persistence
    assert persistence is not None
    holding, admin_done, written = threading.Event(), threading.Event(), threading.Event()

    def scim_write() -> None:
        with persistence.transaction():  # as the store holds it during a write
            holding.set()
            admin_done.wait(timeout=0.3)  # the admin write starts and blocks meanwhile
            elevate.account_center.user_written("user-1", "ada@x", True, config)
        written.set()

    def admin_write() -> None:
        elevate.account_center.set_license_pool("LinkedIn Elevate", "Elevate", 9)
        admin_done.set()

    writer = threading.Thread(target=scim_write, daemon=True)
    writer.start()
    assert holding.wait(timeout=20)
    threading.Thread(target=admin_write, daemon=True).start()
    assert written.wait(timeout=20), "the SCIM write waited on the admin write's lock"
    assert admin_done.wait(timeout=20)
    assert elevate.account_center.user("user-1") is not None


def _count_hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every token ``authenticate`` hashes (the module's ``hash_token``)."""
    hashed: list[str] = []
    real = account_center_module.hash_token

    def counting(token: str) -> bytes:
        hashed.append(token)
        return real(token)

    monkeypatch.setattr(account_center_module, "hash_token", counting)
    return hashed


def test_a_known_token_is_checked_without_hashing(
    center: AccountCenter, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = center.add_scim_configuration("Entra ID")
    token = center.generate_token(config.id)
    hashed = _count_hashes(monkeypatch)
    for _ in range(3):
        assert center.authenticate(token) is config
    assert hashed == []
    with pytest.raises(TokenRefused):
        center.authenticate("an-unknown-token-of-some-length")
    assert hashed == ["an-unknown-token-of-some-length"]


def test_known_tokens_are_all_compared_in_constant_time(
    center: AccountCenter, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = center.add_scim_configuration("first")
    second = center.add_scim_configuration("second")
    token = center.generate_token(first.id)
    center.generate_token(second.id)
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def recording(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(account_center_module.hmac, "compare_digest", recording)
    assert center.authenticate(token) is first
    # Every known token, the matching one first, is compared: no early exit.
    assert len(compared) == 2 and all(b == token.encode() for _, b in compared)


@pytest.mark.parametrize("how", ["regenerate", "install", "remove"])
def test_revoking_a_known_token_refuses_the_very_next_request(
    center: AccountCenter, how: str
) -> None:
    config = center.add_scim_configuration("Entra ID")
    token = center.generate_token(config.id)
    assert center.authenticate(token) is config
    if how == "regenerate":
        center.generate_token(config.id)
    elif how == "install":
        center.install_token(config.id, "an-operator-chosen-token-0123")
    else:
        center.remove_scim_configuration(config.id)
    with pytest.raises(TokenRefused):
        center.authenticate(token)


def test_a_token_from_the_database_is_hashed_once_then_known(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = FakeElevate(seed=1, db=tmp_path / "elevate.db")
    config, token = first.quick_setup(seats=5)
    assert first.persistence is not None
    first.persistence.close()
    again = FakeElevate(seed=2, db=tmp_path / "elevate.db")
    hashed = _count_hashes(monkeypatch)
    assert again.account_center.authenticate(token).id == config.id
    assert again.account_center.authenticate(token).id == config.id
    assert hashed == [token]
    again.account_center.generate_token(config.id)
    with pytest.raises(TokenRefused):
        again.account_center.authenticate(token)
