"""Failed SCIM calls as tenants see them logged (fake_entra.http_errors; audit #3, #14)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fake_entra.error_codes import DEFAULT_TARGET, lookup
from fake_entra.http_errors import (
    ConnectorErrorCodes,
    classify_http_failure,
    duration_words,
    escrowed,
    retry_after_delay,
    status_code_name,
)

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
BAD_REQUEST = "SystemForCrossDomainIdentityManagementBadRequest"
INCOMPATIBLE = "SystemForCrossDomainIdentityManagementServiceIncompatible"


@pytest.mark.parametrize(
    ("status", "kwargs", "code"),
    [
        # 1Password/scim-examples#82: a 400 on POST is ...BadRequest.
        (400, {}, BAD_REQUEST),
        (400, {"method": "POST"}, BAD_REQUEST),
        # getsentry/sentry#84941: a 400 on PATCH is ...ServiceIncompatible.
        (400, {"method": "PATCH"}, INCOMPATIBLE),
        (400, {"method": "put"}, INCOMPATIBLE),
        (400, {"scim_type": "uniqueness"}, "EntryConflict"),
        (400, {"scim_type": "invalidValue", "method": "POST"}, BAD_REQUEST),
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


def test_a_400_on_post_reads_as_tenants_log_it() -> None:
    info = classify_http_failure(400, method="POST", web_response="")
    # 1Password/scim-examples#82, verbatim up to the retry sentence.
    assert info.reason == (
        "Error: The SCIM endpoint is not fully compatible with the Azure Active Directory SCIM "
        "client. Please refer to the Azure Active Directory SCIM provisioning documentation "
        "and adapt the SCIM endpoint to be able to process provisioning requests from Azure "
        "Active Directory.\n"
        "StatusCode: BadRequest\n"
        "Message: Processing of the HTTP request resulted in an exception. Please see the HTTP "
        "response returned by the 'Response' property of this exception for details.\n"
        "Web Response: Bad Request"
    )


def test_the_web_response_is_the_body_the_target_sent() -> None:
    body = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400"}'
    info = classify_http_failure(400, method="PATCH", web_response=body)
    # getsentry/sentry#84941: ServiceIncompatible, "StatusCode: BadRequest", the body.
    assert info.error_code == INCOMPATIBLE
    assert info.reason.startswith(lookup(INCOMPATIBLE).reason + "\nStatusCode: BadRequest\n")
    assert info.reason.endswith(f"Web Response: {body}")


def test_the_connector_prefix_and_the_update_code_are_settings() -> None:
    contoso = ConnectorErrorCodes(prefix="Contoso", bad_request_on_update="BadRequest")
    assert classify_http_failure(400, method="PATCH", codes=contoso).error_code == (
        "ContosoBadRequest"
    )
    every = ConnectorErrorCodes(prefix_all=True)
    assert classify_http_failure(409, codes=every).error_code == (
        "SystemForCrossDomainIdentityManagementEntryConflict"
    )
    # The default: the codes S13 lists stay bare.
    assert classify_http_failure(409).error_code == "EntryConflict"


@pytest.mark.parametrize(
    ("status", "name"),
    [
        (400, "BadRequest"),
        (409, "Conflict"),
        (500, "InternalServerError"),
        (413, "RequestEntityTooLarge"),
        (599, "599"),
    ],
)
def test_status_code_names_are_dotnet_names(status: int, name: str) -> None:
    assert status_code_name(status) == name


def test_http_reason_names_the_target_and_status() -> None:
    info = classify_http_failure(409, target="LinkedIn Elevate", web_response="taken")
    assert info.reason == (
        "LinkedIn Elevate returned an error response with the HTTP status code 409. This "
        "response indicates that a user or a group already exists with the same name.\n"
        "StatusCode: Conflict\n"
        "Message: Processing of the HTTP request resulted in an exception. Please see the HTTP "
        "response returned by the 'Response' property of this exception for details.\n"
        "Web Response: taken"
    )
    generic = classify_http_failure(418)
    assert generic.reason.startswith(
        "An HTTP protocol error occurred while connecting to the target application. "
        # The default target opens the second sentence, so it is capitalised there.
        f"{DEFAULT_TARGET[0].upper()}{DEFAULT_TARGET[1:]} returned an error response with the "
        "HTTP status code 418.\nStatusCode: ImATeapot"
    )


def test_query_404_is_the_scim_compliance_issue() -> None:
    info = classify_http_failure(404, on_query=True)
    assert info.reason.startswith("SCIM Compliance issue: An HTTP/404 Not Found response")
    assert info.recommended_action is not None
    assert "rfc7644#section-3.4.2" in info.recommended_action


def test_connection_failure_says_the_connection_was_not_established() -> None:
    info = classify_http_failure(None, connection_failed=True, target="elevate.example")
    assert "the connection to elevate.example could not be established" in info.reason
    assert "StatusCode" not in info.reason
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


def test_an_escrowed_error_says_how_often_it_was_retried_and_when_it_is_next() -> None:
    info = escrowed(
        classify_http_failure(400, method="POST"),
        retries=0,
        next_retry=datetime(2019, 10, 30, 15, 13, 17, 671530, tzinfo=UTC),
        now=datetime(2019, 10, 30, 14, 33, 17, tzinfo=UTC),
    )
    # 1Password/scim-examples#82: "Web Response: Bad Request . This operation was retried 0
    # times. It will be retried again after this date: 2019-10-30T15:13:17.6715300Z UTC".
    assert info.reason.endswith(
        "Web Response: Bad Request . This operation was retried 0 times. It will be retried "
        "again after this date: 2019-10-30T15:13:17.6715300Z UTC"
    )


def test_the_recommended_action_names_the_backoff_in_force() -> None:
    error = lookup("InternalServerError").info(http_status=500)
    assert error.recommended_action == "This attempt is automatically retried in 40 minutes."
    later = escrowed(error, retries=5, next_retry=NOW + timedelta(hours=21, minutes=20), now=NOW)
    assert later.recommended_action == (
        "This attempt is automatically retried in 21 hours 20 minutes."
    )
    first = escrowed(error, retries=0, next_retry=NOW + timedelta(minutes=40), now=NOW)
    assert first.recommended_action == error.recommended_action
    # An action that says nothing about when is left as it is.
    conflict = lookup("EntryConflict").info(http_status=409)
    assert escrowed(conflict, retries=1, next_retry=NOW, now=NOW).recommended_action == (
        conflict.recommended_action
    )


@pytest.mark.parametrize(
    ("delay", "words"),
    [
        (timedelta(minutes=40), "40 minutes"),
        (timedelta(minutes=60), "1 hour"),
        (timedelta(minutes=80), "1 hour 20 minutes"),
        (timedelta(hours=24), "24 hours"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(0), "0 minutes"),
    ],
)
def test_duration_words(delay: timedelta, words: str) -> None:
    assert duration_words(delay) == words


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
