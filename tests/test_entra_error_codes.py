"""The error catalogue and the HTTP-failure classification (S13 error codes table, S4, S11)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fake_entra.error_codes import (
    CATALOGUE,
    ErrorCategory,
    ErrorInfo,
    ErrorKind,
    lookup,
)

S13_CODES = [
    "Conflict",
    "EntryConflict",
    "TooManyRequests",
    "InternalServerError",
    "InsufficientRights",
    "MethodNotAllowed",
    "NotPermitted",
    "Unauthorized",
    "UnprocessableEntity",
    "WebExceptionProtocolError",
    "InvalidAnchor",
    "NotImplemented",
    "MandatoryFieldsMissing",
    "MissingValues",
    "SchemaAttributeNotFound",
    "InternalError",
    "InvalidDomain",
    "Timeout",
    "LicenseLimitExceeded",
    "DuplicateTargetEntries",
    "DuplicateSourceEntries",
    "ImportSkipped",
    "EntrySynchronizationSkipped",
    "SystemForCrossDomainIdentityManagementMultipleEntriesInResponse",
    "SystemForCrossDomainIdentityManagementServiceIncompatible",
    "SchemaPropertyCanOnlyAcceptValue",
]
#: Not in S13's table: what tenants log for a 400 from a SCIM app (1Password/scim-examples#82).
OBSERVED_CODES = ["SystemForCrossDomainIdentityManagementBadRequest"]
#: Test Connection's and a credentials quarantine's error (Q 4969398).
CONNECTION_ERRORS = ["SystemForCrossDomainIdentityManagementCredentialValidationFailure"]
SKIP_REASONS = [
    "NotEffectivelyEntitled",
    "OutOfScope",
    "RedundantExport",
    "MissingMatchingValue",
    # Accidental deletions prevention (S6): deletes held back as StagedDelete.
    "StagedDelete",
]
QUARANTINE_REASONS = [
    "EncounteredBaseEscrowThreshold",
    "EncounteredTotalEscrowThreshold",
    "EncounteredEscrowProportionThreshold",
    "EncounteredQuarantineException",
    "Unknown",
    "QuarantinedOnDemand",
    "TooManyDeletes",
    "IngestionInterrupted",
]
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_catalogue_holds_every_documented_code_once() -> None:
    expected = (
        set(S13_CODES)
        | set(OBSERVED_CODES)
        | set(SKIP_REASONS)
        | set(QUARANTINE_REASONS)
        | set(CONNECTION_ERRORS)
    )
    assert set(CATALOGUE) == expected
    assert len(CATALOGUE) == len(expected)


@pytest.mark.parametrize("code", S13_CODES)
def test_s13_codes_are_failures_except_the_two_skips(code: str) -> None:
    definition = lookup(code)
    skips = {"ImportSkipped", "EntrySynchronizationSkipped"}
    assert definition.kind is (ErrorKind.SKIP if code in skips else ErrorKind.FAILURE)


def test_failures_are_escrowed_and_count_toward_quarantine_skips_and_quarantines_are_not() -> None:
    for definition in CATALOGUE.values():
        is_failure = definition.kind is ErrorKind.FAILURE
        assert definition.retryable is is_failure, definition.code
        assert definition.counts_toward_quarantine is is_failure, definition.code
        assert (definition.error_category is not None) is is_failure, definition.code
        assert definition.reason.strip() and definition.recommended_action.strip()


def test_transient_codes_are_those_s13_says_are_retried_automatically() -> None:
    transient = {code for code, definition in CATALOGUE.items() if definition.transient}
    assert transient == {
        "TooManyRequests",
        "InternalServerError",
        "WebExceptionProtocolError",
        "InternalError",
        "Timeout",
    }


def test_only_the_service_own_error_is_a_service_failure() -> None:
    categories = {
        code: definition.error_category
        for code, definition in CATALOGUE.items()
        if definition.kind is ErrorKind.FAILURE
    }
    assert categories.pop("InternalError") is ErrorCategory.FAILURE
    assert set(categories.values()) == {ErrorCategory.NON_SERVICE_FAILURE}


def test_microsoft_wording_is_kept() -> None:
    assert lookup("TooManyRequests").recommended_action == (
        "There's nothing to do. This attempt is automatically retried and Microsoft was "
        "notified of this issue."
    )
    assert lookup("Timeout").reason == (
        "The operation couldn't be completed because the target application took too long to "
        "respond."
    )
    assert lookup("SchemaPropertyCanOnlyAcceptValue").recommended_action.startswith(
        "Ensure that you either map a single-valued attribute"
    )
    assert lookup("NotEffectivelyEntitled").recommended_action.endswith(
        "unassign the user (or group) from the app, and reassign it again."
    )


def test_lookup_is_case_insensitive_and_knows_aliases() -> None:
    assert lookup("entryconflict").code == "EntryConflict"
    assert lookup("ScopingFilter") is lookup("OutOfScope")
    assert "scopingfilter" in CATALOGUE
    assert 42 not in CATALOGUE
    with pytest.raises(KeyError, match="not a provisioning error code"):
        lookup("NoSuchCode")
    assert [d.code for d in CATALOGUE.of_kind(ErrorKind.QUARANTINE)] == QUARANTINE_REASONS


def test_error_information_json_has_graph_keys_and_round_trips() -> None:
    info = lookup("Unauthorized").info(http_status=401)
    data = info.to_json()
    assert list(data) == [
        "errorCode",
        "reason",
        "additionalDetails",
        "errorCategory",
        "recommendedAction",
    ]
    assert data["errorCategory"] == "nonServiceFailure"
    again = ErrorInfo.from_json(data)
    assert again.to_json() == data
    assert again.retryable and again.counts_toward_quarantine


def test_from_json_of_an_unknown_code_is_not_retryable() -> None:
    info = ErrorInfo.from_json({"errorCode": "ContosoEntryConflict", "reason": "x"})
    assert info.error_code == "ContosoEntryConflict"
    assert not info.retryable
    assert info.error_category is None


def test_info_renders_templates_with_defaults_and_overrides() -> None:
    skip = lookup("RedundantExport").info(display_name="'bob@contoso.com'")
    assert skip.reason.endswith(
        "No change to the User 'bob@contoso.com' currently needs to be made."
    )
    missing = lookup("NotEffectivelyEntitled").info()
    assert missing.reason == "The User is \u201cnot effectively entitled\u201d."
    custom = lookup("InternalError").info(reason="Boom in {target} {}", target="Elevate")
    assert custom.reason == "Boom in {target} {}"  # a caller's own text is taken literally
    assert custom.error_category is ErrorCategory.FAILURE


def test_the_credentials_error_is_neither_escrowed_nor_a_quarantine_reason() -> None:
    definition = CATALOGUE.require(CONNECTION_ERRORS[0], ErrorKind.CONNECTION)
    assert not definition.retryable and not definition.counts_toward_quarantine
    with pytest.raises(ValueError, match="is not a quarantine reason"):
        CATALOGUE.require(CONNECTION_ERRORS[0], ErrorKind.QUARANTINE)


def test_require_checks_the_kind() -> None:
    assert CATALOGUE.require("redundantexport", ErrorKind.SKIP).code == "RedundantExport"
    with pytest.raises(ValueError, match="'Timeout' is not a quarantine reason"):
        CATALOGUE.require("Timeout", ErrorKind.QUARANTINE)
    with pytest.raises(ValueError, match="is not a failure code"):
        CATALOGUE.require("TooManyDeletes", ErrorKind.FAILURE)


def test_texts_rendered_from_the_same_fields_are_one_string() -> None:
    # A Restart in sync skips 100k+ objects: "No action is needed." is held once.
    redundant = CATALOGUE["RedundantExport"]
    ada = redundant.info(object_type="User", display_name="'ada'")
    bob = redundant.info(object_type="User", display_name="'bob'")
    assert ada.recommended_action is bob.recommended_action
    again = redundant.info(object_type="User", display_name="'ada'")
    assert again.reason is ada.reason and again == ada
    assert bob.reason.endswith("No change to the User 'bob' currently needs to be made.")
    # Fields a template does not name change nothing; missing ones take their defaults.
    http = CATALOGUE["SystemForCrossDomainIdentityManagementServiceIncompatible"]
    assert http.info(status=500).reason == http.info(status=500, unused="x").reason
