"""The error catalogue and the HTTP-failure classification (S13 error codes table, S4, S11)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fake_entra.error_codes import (
    CATALOGUE,
    DEFAULT_TARGET,
    ErrorCategory,
    ErrorInfo,
    ErrorKind,
    classify_http_failure,
    lookup,
    retry_after_delay,
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
    expected = set(S13_CODES) | set(SKIP_REASONS) | set(QUARANTINE_REASONS)
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


@pytest.mark.parametrize(
    ("status", "kwargs", "code"),
    [
        (400, {}, "WebExceptionProtocolError"),
        (400, {"scim_type": "uniqueness"}, "EntryConflict"),
        (400, {"scim_type": "invalidValue"}, "WebExceptionProtocolError"),
        (401, {}, "Unauthorized"),
        (403, {}, "InsufficientRights"),
        (404, {}, "InvalidAnchor"),
        (404, {"on_query": True}, "WebExceptionProtocolError"),
        (405, {}, "MethodNotAllowed"),
        (409, {}, "EntryConflict"),
        (409, {"scim_type": "uniqueness"}, "EntryConflict"),
        (410, {}, "WebExceptionProtocolError"),
        (422, {}, "UnprocessableEntity"),
        (429, {"retry_after": "120"}, "TooManyRequests"),
        (500, {}, "InternalServerError"),
        (501, {}, "NotImplemented"),
        (502, {}, "InternalServerError"),
        (503, {}, "InternalServerError"),
        (504, {}, "Timeout"),
        (505, {}, "WebExceptionProtocolError"),
        (None, {"timed_out": True}, "Timeout"),
        (500, {"timed_out": True}, "Timeout"),
        (None, {"connection_failed": True}, "WebExceptionProtocolError"),
    ],
)
def test_classification_table(status: int | None, kwargs: dict[str, Any], code: str) -> None:
    info = classify_http_failure(status, **kwargs)
    assert info.error_code == code
    assert info.retryable
    assert info.counts_toward_quarantine
    assert info.http_status == status


def test_http_reason_names_the_target_and_status() -> None:
    info = classify_http_failure(409, target="LinkedIn Elevate")
    assert info.reason == (
        "LinkedIn Elevate returned an error response with the HTTP status code 409. This "
        "response indicates that a user or a group already exists with the same name."
    )
    generic = classify_http_failure(418)
    assert generic.reason == (
        "An HTTP protocol error occurred while connecting to the target application. "
        # The default target opens the second sentence, so it is capitalised there.
        f"{DEFAULT_TARGET[0].upper()}{DEFAULT_TARGET[1:]} returned an error response with the "
        "HTTP status code 418."
    )


def test_query_404_is_the_scim_compliance_issue() -> None:
    info = classify_http_failure(404, on_query=True)
    assert info.reason.startswith("SCIM Compliance issue: An HTTP/404 Not Found response")
    assert info.recommended_action is not None
    assert "rfc7644#section-3.4.2" in info.recommended_action


def test_connection_failure_says_the_connection_was_not_established() -> None:
    info = classify_http_failure(None, connection_failed=True, target="elevate.example")
    assert "the connection to elevate.example could not be established" in info.reason
    assert info.additional_details is None
    assert info.transient


def test_additional_details_carry_status_scim_type_retry_after_and_detail() -> None:
    info = classify_http_failure(
        429, scim_type="tooMany", retry_after="30", detail="Slow down, please"
    )
    assert (
        info.additional_details == "HTTP 429; scimType tooMany; Retry-After 30; Slow down, please"
    )
    assert info.retry_after == "30"


@pytest.mark.parametrize("status", [None, 200, 204, 302])
def test_non_failures_are_rejected(status: int | None) -> None:
    with pytest.raises(ValueError):
        classify_http_failure(status)


def test_error_information_json_has_graph_keys_and_round_trips() -> None:
    info = classify_http_failure(401)
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


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("120", timedelta(seconds=120)),
        (" 5 ", timedelta(seconds=5)),
        ("Mon, 05 Jan 2026 09:02:30 GMT", timedelta(minutes=2, seconds=30)),
        ("Mon, 05 Jan 2026 08:00:00 GMT", timedelta(0)),
        ("soon", None),
        ("-5", None),
    ],
)
def test_retry_after_delay(value: str | None, expected: timedelta | None) -> None:
    assert retry_after_delay(value, NOW) == expected


def test_require_checks_the_kind() -> None:
    assert CATALOGUE.require("redundantexport", ErrorKind.SKIP).code == "RedundantExport"
    with pytest.raises(ValueError, match="'Timeout' is not a quarantine reason"):
        CATALOGUE.require("Timeout", ErrorKind.QUARANTINE)
    with pytest.raises(ValueError, match="is not a failure code"):
        CATALOGUE.require("TooManyDeletes", ErrorKind.FAILURE)
