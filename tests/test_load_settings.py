"""What a ``provisim load`` run is asked, and the targets it refuses."""

from __future__ import annotations

import pytest

from harness.load.settings import (
    LoadAbort,
    LoadSettings,
    check_target,
    default_validate_every,
    is_loopback,
)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "127.1.2.3"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)
    check_target(f"http://{host}:8000/scim", i_own_it=False)


@pytest.mark.parametrize(
    ("url", "own", "message"),
    [
        ("http://10.0.0.5/scim", True, "plain http is allowed only on a loopback host"),
        ("https://scim.example.com/v2", False, "pass --i-own-this-endpoint"),
        ("https://user:pw@127.0.0.1/v2", True, "credentials in the URL are refused"),
        ("scim.example.com/v2", True, r"is not an absolute http\(s\) URL"),
    ],
)
def test_refused_targets(url: str, own: bool, message: str) -> None:
    with pytest.raises(LoadAbort, match=message):
        check_target(url, i_own_it=own)


def test_a_remote_https_target_needs_the_owners_word() -> None:
    check_target("https://scim.example.com/v2", i_own_it=True)


def test_settings_round_trip_as_json_without_any_secret() -> None:
    settings = LoadSettings(url="http://127.0.0.1/scim", run_id="abcd", tenants=3, rate=40)
    text = settings.to_json()
    assert LoadSettings.from_json(text) == settings
    assert "token" not in text.lower()
    assert settings.prefix == "provisim-load-abcd-"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"run_id": "A!"}, "run id"),
        ({"tenants": 0}, "--tenants"),
        ({"users_per_tenant": 0}, "--users-per-tenant"),
        ({"rate": 0}, "--rate"),
        ({"duration": -1}, "--duration"),
        ({"dialect": "rfc"}, "--dialect"),
        ({"validate_every": 0}, "--validate-every"),
        ({"timeout": 0}, "--timeout"),
        ({"max_body": 10}, "--max-body"),
    ],
)
def test_bad_settings_are_refused(changes: dict[str, object], message: str) -> None:
    values: dict[str, object] = {"url": "http://127.0.0.1/scim", "run_id": "abcd", **changes}
    with pytest.raises(LoadAbort, match=message):
        LoadSettings(**values)  # type: ignore[arg-type]


def test_validation_is_sampled_only_above_100_requests_per_second() -> None:
    assert default_validate_every(25, 4) == 1
    assert default_validate_every(25, 40) == 10
    assert default_validate_every(100, 3) == 3
