"""What a failed SCIM call is logged as: the error code, and the reason real tenants see.

The catalogue (:mod:`fake_entra.error_codes`) holds the codes; this module picks one for a
failed HTTP call and writes the reason the way Entra writes it for a SCIM connector
(entra-fidelity-audit.md #3, #14):

* connector-prefixed codes (``SystemForCrossDomainIdentityManagementBadRequest``) where a
  tenant logs them, not a blanket ``WebExceptionProtocolError`` for a 400;
* the .NET exception text after the catalogue's sentence: "StatusCode: BadRequest",
  "Message: Processing of the HTTP request resulted in an exception. ...", "Web Response:
  <body>" (1Password/scim-examples#82, getsentry/sentry#84941);
* once the failure is escrowed, "This operation was retried N times. It will be retried
  again after this date: <date> UTC" with the backoff in force (1Password/scim-examples#82),
  and a recommended action that names the same delay.
"""

from __future__ import annotations

import dataclasses
import email.utils
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import TypedDict

from fake_entra.error_codes import _HTTP, CATALOGUE, DEFAULT_TARGET, ErrorInfo, _render

#: The prefix SCIM connectors put on their codes: S13 lists
#: SystemForCrossDomainIdentityManagementServiceIncompatible and ...MultipleEntriesInResponse;
#: the Graph list example shows the same pattern for another connector ("ContosoEntryConflict").
SCIM_PREFIX = "SystemForCrossDomainIdentityManagement"


@dataclass(frozen=True, slots=True)
class ConnectorErrorCodes:
    """How the connector names HTTP failures. Each field rests on vendors' observations only,
    so each is a setting (README "Fidelity")."""

    #: The connector's prefix (entra-fidelity-audit.md #3: "Make the connector prefix a
    #: setting").
    prefix: str = SCIM_PREFIX
    #: A 400 answering a PATCH or PUT: getsentry/sentry#84941 and getsentry/self-hosted#3573
    #: (2025) log ``...ServiceIncompatible`` with "StatusCode: BadRequest"; a 400 answering a
    #: POST is ``...BadRequest`` (1Password/scim-examples#82). "BadRequest" logs both alike.
    bad_request_on_update: str = "ServiceIncompatible"
    #: Whether the codes S13 lists bare (EntryConflict, InternalServerError, ...) carry the
    #: prefix too, as the Graph example's "ContosoEntryConflict" suggests. Off: S13 lists them
    #: bare and no vendor has shown one prefixed for a SCIM app.
    prefix_all: bool = False

    def code(self, suffix: str) -> str:
        return self.prefix + suffix


DEFAULT_CONNECTOR_CODES = ConnectorErrorCodes()

# S4 "SCIM Compliance issue": a query answered 404 instead of 200 + an empty ListResponse.
_SCIM_COMPLIANCE_REASON = (
    "SCIM Compliance issue: An HTTP/404 Not Found response was returned rather than the "
    "expected HTTP/200 OK response. In this case, the Microsoft Entra provisioning service has "
    "made a request to the target application and received an unexpected response."
)
_SCIM_COMPLIANCE_ACTION = (
    "Check the admin credentials section. See if the application requires specifying the "
    "tenant URL and that the URL is correct. If you don't see an issue, contact the application "
    "developer to ensure that their service is SCIM-compliant. "
    "https://tools.ietf.org/html/rfc7644#section-3.4.2"
)
# 1Password/scim-examples#82 and getsentry/sentry#84941: the .NET HttpRequestException text
# every HTTP failure's reason carries, between "StatusCode" and "Web Response".
_HTTP_EXCEPTION = (
    "Processing of the HTTP request resulted in an exception. Please see the HTTP response "
    "returned by the 'Response' property of this exception for details."
)

_BY_STATUS: dict[int, str] = {
    401: "Unauthorized",
    # S13 groups InsufficientRights, MethodNotAllowed, NotPermitted and Unauthorized under
    # "authenticated but wasn't authorized"; 403 Forbidden is the insufficient-rights case.
    403: "InsufficientRights",
    405: "MethodNotAllowed",
    # RFC 7644 §3.3: a uniqueness clash is 409 with scimType "uniqueness".
    409: "EntryConflict",
    422: "UnprocessableEntity",
    429: "TooManyRequests",
    500: "InternalServerError",
    501: "NotImplemented",
    502: "InternalServerError",
    503: "InternalServerError",
    # A gateway that gave up waiting: "the target application took too long to respond".
    504: "Timeout",
}

#: .NET ``HttpStatusCode`` names where they differ from Python's ``HTTPStatus`` in PascalCase.
_DOTNET_NAMES = {
    413: "RequestEntityTooLarge",
    414: "RequestUriTooLong",
    416: "RequestedRangeNotSatisfiable",
}


def status_code_name(status: int) -> str:
    """The .NET ``HttpStatusCode`` name Entra writes after "StatusCode:" (``BadRequest``)."""
    if status in _DOTNET_NAMES:
        return _DOTNET_NAMES[status]
    try:
        name = HTTPStatus(status).name
    except ValueError:
        return str(status)
    return "".join(part.capitalize() for part in name.split("_"))


class _FailureFields(TypedDict):
    """What every outcome of :func:`classify_http_failure` passes to ``info``."""

    additional_details: str | None
    retry_after: str | None
    target: str


def classify_http_failure(
    status: int | None,
    *,
    method: str | None = None,
    web_response: str | None = None,
    codes: ConnectorErrorCodes = DEFAULT_CONNECTOR_CODES,
    scim_type: str | None = None,
    timed_out: bool = False,
    connection_failed: bool = False,
    retry_after: str | None = None,
    on_query: bool = False,
    detail: str | None = None,
    target: str = DEFAULT_TARGET,
) -> ErrorInfo:
    """Map a failed SCIM call to the Entra error code a log entry shows.

    * ``timed_out`` → Timeout, whatever the status.
    * ``connection_failed`` (refused, reset, DNS, TLS) → WebExceptionProtocolError: S13's
      "An HTTP protocol error occurred while connecting to the target application".
    * 404 on an object (``GET/PATCH/DELETE /Users/{id}``) → InvalidAnchor: the object the
      service created or matched is gone. 404 on a query (``on_query``) → the S4 "SCIM
      Compliance issue" (a query must answer 200 with an empty ListResponse, RFC 7644
      §3.4.2), filed as WebExceptionProtocolError.
    * ``scimType: uniqueness`` → EntryConflict even on a 400 (some servers send that).
    * any other 400 → ``<prefix>BadRequest``, or on a PATCH/PUT
      ``codes.bad_request_on_update`` (``<prefix>ServiceIncompatible`` by default).
    * the statuses S13 names → their code; any other 4xx/5xx → WebExceptionProtocolError.

    ``detail`` (the SCIM Error ``detail``) and ``retry_after`` go into ``additionalDetails``;
    ``web_response`` (the response body) goes into the reason after "Web Response:".
    """
    parts: list[str] = []
    if status is not None:
        parts.append(f"HTTP {status}")
    if scim_type:
        parts.append(f"scimType {scim_type}")
    if retry_after:
        parts.append(f"Retry-After {retry_after}")
    if detail:
        parts.append(detail)
    details = "; ".join(parts) or None
    common: _FailureFields = {
        "additional_details": details,
        "retry_after": retry_after,
        "target": target,
    }

    if timed_out:
        return CATALOGUE["Timeout"].info(http_status=status, **common)
    if connection_failed:
        return CATALOGUE["WebExceptionProtocolError"].info(
            reason="An HTTP protocol error occurred while connecting to the target application: "
            f"the connection to {target} could not be established.",
            **common,
        )
    if status is None:
        raise ValueError("a failed SCIM call has an HTTP status, a timeout or a connection failure")
    if status < 400:
        raise ValueError(f"HTTP {status} is not a failure")
    # 1Password/scim-examples#82: the reason goes on with the status, the exception text and
    # the body ("Web Response: Bad Request" where the body is the bare reason phrase).
    body = web_response.strip() if web_response and web_response.strip() else _phrase(status)
    exception = (
        f"\nStatusCode: {status_code_name(status)}\nMessage: {_HTTP_EXCEPTION}\n"
        f"Web Response: {body}"
    )
    if scim_type is not None and scim_type.lower() == "uniqueness":
        info = CATALOGUE["EntryConflict"].info(http_status=status, **common)
    elif status == 404 and on_query:
        info = CATALOGUE["WebExceptionProtocolError"].info(
            reason=_SCIM_COMPLIANCE_REASON,
            recommended_action=_SCIM_COMPLIANCE_ACTION,
            http_status=status,
            **common,
        )
    elif status == 404:
        info = CATALOGUE["InvalidAnchor"].info(http_status=status, **common)
    elif status == 400:
        updating = method is not None and method.upper() in ("PATCH", "PUT")
        suffix = codes.bad_request_on_update if updating else "BadRequest"
        info = CATALOGUE[SCIM_PREFIX + suffix].info(http_status=status, **common)
        info = dataclasses.replace(info, error_code=codes.code(suffix))
    elif status in _BY_STATUS:
        info = CATALOGUE[_BY_STATUS[status]].info(http_status=status, **common)
    else:
        info = CATALOGUE["WebExceptionProtocolError"].info(
            reason="An HTTP protocol error occurred while connecting to the target application. "
            + _render(_HTTP, {"target": target, "status": status}),
            http_status=status,
            **common,
        )
    code = info.error_code
    if codes.prefix_all and not code.startswith(SCIM_PREFIX) and status != 404:
        code = codes.code(code)
    return dataclasses.replace(info, error_code=code, reason=info.reason + exception)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return str(status)


def escrowed(error: ErrorInfo, *, retries: int, next_retry: datetime, now: datetime) -> ErrorInfo:
    """The error as the log shows it once escrowed: its retry count and next attempt.

    1Password/scim-examples#82: "... . This operation was retried 0 times. It will be retried
    again after this date: 2019-10-30T15:13:17.6715300Z UTC". A recommended action that says
    when the retry happens (S13: "automatically retried in 40 minutes") names the delay in
    force instead, as the backoff grows (entra-fidelity-audit.md #14).
    """
    when = f"{next_retry:%Y-%m-%dT%H:%M:%S}.{next_retry.microsecond:06d}0Z"
    reason = (
        f"{error.reason} . This operation was retried {retries} times. It will be retried "
        f"again after this date: {when} UTC"
    )
    action = error.recommended_action
    if action is not None and "retried in 40 minutes" in action:
        action = action.replace("in 40 minutes", "in " + duration_words(next_retry - now))
    return dataclasses.replace(error, reason=reason, recommended_action=action)


def duration_words(delay: timedelta) -> str:
    """``1 hour 20 minutes``: a delay as a recommended action words it (whole minutes)."""
    hours, minutes = divmod(max(0, round(delay.total_seconds() / 60)), 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour" + ("s" if hours != 1 else ""))
    if minutes or not hours:
        parts.append(f"{minutes} minute" + ("s" if minutes != 1 else ""))
    return " ".join(parts)


def retry_after_delay(value: str | None, now: datetime) -> timedelta | None:
    """RFC 9110 §10.2.3: ``Retry-After`` is delay-seconds or an HTTP-date.

    §2 "Errors and retries": on 429 the job waits that long before retrying the failed
    requests. Returns None when the header is absent or unreadable; never negative.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return timedelta(seconds=int(text))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(when - now, timedelta(0))
