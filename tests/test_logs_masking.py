"""fake_entra.logs.masking: a Secret Token never reaches a log entry."""

from __future__ import annotations

import json

import pytest
from logs_support import new_log, user

from fake_entra.clock import VirtualClock
from fake_entra.http_errors import classify_http_failure
from fake_entra.logs import MASKED_SECRET, MIN_SECRET_LENGTH, ProvisioningLog, import_step
from fake_entra.logs.masking import without_secrets

SECRET = "s3cr3t-token-0123456789"


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def log(clock: VirtualClock) -> ProvisioningLog:
    return new_log(clock)


def test_a_secret_anywhere_in_the_steps_or_error_is_masked(
    log: ProvisioningLog, clock: VirtualClock
) -> None:
    log.mask(SECRET)
    builder = log.begin(cycle_id="c", source_identity=user("Ada Lovelace"))
    builder.step(import_step("User", "ada@contoso.com"))
    builder.step("Echo", "export", "failure", f"target said Bearer {SECRET}", {"raw": SECRET})
    error = classify_http_failure(401, detail=f"Bearer {SECRET} is not valid")
    builder.fail(error)
    stored = list(log)[-1]
    text = json.dumps(stored.to_json())
    assert SECRET not in text
    assert "Bearer ***" in text
    assert stored.provisioning_steps[1].details == {"raw": "***"}
    assert stored.provisioning_steps[0] == import_step("User", "ada@contoso.com")


def test_an_entry_without_a_secret_is_kept_as_written(log: ProvisioningLog) -> None:
    log.mask(SECRET)
    builder = log.begin(cycle_id="c", source_identity=user("Ada Lovelace"))
    # Two texts that would spell the secret if they ran together are not a leak.
    builder.step("Half", "export", "success", SECRET[:10], {"rest": SECRET[10:], "none": None})
    entry = builder.succeed()
    assert list(log)[-1] is entry
    assert entry.provisioning_steps[0].description == SECRET[:10]


def test_secrets_joined_by_a_nul_are_checked_exactly(log: ProvisioningLog) -> None:
    # The quick check joins the texts with NUL; a secret holding one is found there
    # across two texts, and the exact check then finds no leak and changes nothing.
    log.mask("tail\0head-of-it")
    builder = log.begin(cycle_id="c", source_identity=user("Ada Lovelace"))
    builder.step("A", "export", "success", "the tail", {"next": "head-of-it and more"})
    entry = builder.succeed()
    assert list(log)[-1] is entry
    assert entry.provisioning_steps[0].details == {"next": "head-of-it and more"}


def test_a_short_secret_is_not_masked(log: ProvisioningLog) -> None:
    short = SECRET[: MIN_SECRET_LENGTH - 1]
    log.mask(short)
    builder = log.begin(cycle_id="c", source_identity=user("Ada Lovelace"))
    entry = builder.fail(classify_http_failure(401, detail=f"Bearer {short} is not valid"))
    assert list(log)[-1] is entry
    assert entry.error is not None and short in (entry.error.additional_details or "")


def test_without_secrets_masks_the_error_and_keeps_clean_steps(log: ProvisioningLog) -> None:
    builder = log.begin(cycle_id="c", source_identity=user("Ada Lovelace"))
    builder.step(import_step("User", "ada@contoso.com"))
    entry = builder.fail(classify_http_failure(401, detail=f"Bearer {SECRET} is not valid"))
    assert SECRET in json.dumps(entry.to_json())  # the log was told no secret
    masked = without_secrets(entry, {SECRET})
    assert masked is not entry
    assert SECRET not in json.dumps(masked.to_json())
    assert masked.error is not None and f"Bearer {MASKED_SECRET}" in (
        masked.error.additional_details or ""
    )
    assert masked.provisioning_steps[0] is entry.provisioning_steps[0]
    assert without_secrets(entry, {"not-in-the-entry"}) is entry
    assert without_secrets(masked, {SECRET}) is masked
