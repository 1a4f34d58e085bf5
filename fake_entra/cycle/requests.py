"""One SCIM request of a cycle, and what its failure means.

Every request a cycle (or a provision on demand) sends goes through :class:`CycleRequests`,
tagged with what sent it (:class:`~fake_entra.scim_client.RequestOrigin`) and counted. A
failure either stops the cycle, :class:`CycleAborted` (credentials refused or a query
answered 404: quarantine; 429: a pause for Retry-After), or fails the object at hand,
:class:`ObjectFailed`, which the cycle escrows and logs (entra-provisioning-service.md §2
"Errors and retries", "Quarantine").
"""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from typing import Any

import httpx

from fake_entra.cycle.job import CycleJob
from fake_entra.error_codes import CATALOGUE, ErrorInfo, ErrorKind
from fake_entra.http_errors import SCIM_PREFIX, classify_http_failure, retry_after_delay
from fake_entra.scim_client import RequestOrigin, ScimClient, parsed_body


class CycleAborted(Exception):
    """Stops the cycle: credentials refused (quarantine) or throttled (Retry-After)."""

    def __init__(
        self,
        *,
        quarantine: str | None = None,
        error: ErrorInfo | None = None,
        retry_after: timedelta | None = None,
    ) -> None:
        super().__init__(quarantine or "throttled")
        self.quarantine = quarantine
        self.error = error
        self.retry_after = retry_after


class ObjectFailed(Exception):
    """One SCIM call failed for this object; it is escrowed and logged."""

    def __init__(self, error: ErrorInfo) -> None:
        super().__init__(error.error_code)
        self.error = error


class CycleRequests:
    """The SCIM calls of one cycle: sent with its origin, counted, failures classified."""

    __slots__ = ("client", "job", "origin", "sent")

    def __init__(self, job: CycleJob, client: ScimClient, origin: RequestOrigin) -> None:
        self.job = job
        #: Replaced when a cycle resumes after Retry-After with the credentials saved then.
        self.client = client
        #: What every request of this cycle says sent it (the request extension
        #: ORIGIN_EXTENSION): a recorder attributes exchanges by it, never by position.
        self.origin = origin
        #: Requests sent, whatever their outcome.
        self.sent = 0

    def send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: Any = None,
        on_query: bool = False,
    ) -> httpx.Response:
        """One SCIM call. Credentials refused or throttling abort the cycle; anything else
        that fails raises ObjectFailed for the object at hand."""
        self.sent += 1
        self.job.requests_sent += 1
        try:
            response = self.client.request(
                method, path, params=params, json=body, origin=self.origin
            )
        except httpx.TimeoutException:
            target = self.job.application.display_name
            raise ObjectFailed(classify_http_failure(None, timed_out=True, target=target)) from None
        except httpx.HTTPError as exc:
            target = self.job.application.display_name
            raise ObjectFailed(
                classify_http_failure(
                    None, connection_failed=True, detail=type(exc).__name__, target=target
                )
            ) from None
        status = response.status_code
        if status < 400:
            return response
        target = self.job.application.display_name
        scim_type, detail = _scim_error(response)
        retry_after = response.headers.get("retry-after")
        error = classify_http_failure(
            status,
            method=method,
            web_response=response.text,
            codes=self.job.settings.error_codes,
            scim_type=scim_type,
            retry_after=retry_after,
            on_query=on_query,
            detail=detail,
            target=target,
        )
        if status in (401, 403):
            # §2 "Quarantine": bad credentials put the job in quarantine at once. Q 4969398
            # (Microsoft): the error shown is ...CredentialValidationFailure, under the
            # connector's prefix (entra-fidelity-audit.md #15).
            codes = self.job.settings.error_codes
            credentials = CATALOGUE.require(
                SCIM_PREFIX + "CredentialValidationFailure", ErrorKind.CONNECTION
            ).info(additional_details=error.additional_details)
            raise CycleAborted(
                quarantine="EncounteredQuarantineException",
                error=dataclasses.replace(
                    credentials, error_code=codes.code("CredentialValidationFailure")
                ),
            )
        if status == 404 and on_query:
            # S4 "SCIM Compliance issue": a query must answer 200 with an empty
            # ListResponse; a 404 quarantines the job (EncounteredQuarantineException: "the
            # target application isn't SCIM-compliant").
            raise CycleAborted(
                quarantine="EncounteredQuarantineException",
                error=CATALOGUE.require(
                    "EncounteredQuarantineException", ErrorKind.QUARANTINE
                ).info(additional_details=f"{error.reason} ({error.additional_details})"),
            )
        if status == 429:
            delay = retry_after_delay(retry_after, self.job.clock.now()) or timedelta(minutes=1)
            raise CycleAborted(retry_after=delay, error=error)
        raise ObjectFailed(error)

    def probe(self) -> httpx.Response:
        """Provision on demand's "Test connection": a query for a user that cannot exist (a
        fresh GUID) on the user mapping's matching attribute, as Test Connection's (S1 "a
        random GUID as the matching property"); counted like any request; transport errors
        propagate."""
        self.sent += 1
        self.job.requests_sent += 1
        attribute = self.job.config.user_mapping.matching_mappings()[0].target_attribute
        return self.client.query("Users", attribute, self.job.new_uuid(), origin=self.origin)


def response_object(response: httpx.Response) -> dict[str, Any]:
    """The response body as a JSON object; anything else fails the object as incompatible."""
    try:
        # What response.json() returns or raises, parsed by orjson when that is the same,
        # or the parse a validating transport kept (each body is parsed once).
        body = parsed_body(response)
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        raise ObjectFailed(
            incompatible(f"HTTP {response.status_code} with a body that is not JSON")
        ) from None
    if not isinstance(body, dict):
        raise ObjectFailed(incompatible("the response body is not a JSON object"))
    return body


def incompatible(details: str) -> ErrorInfo:
    """SystemForCrossDomainIdentityManagementServiceIncompatible, with what was wrong."""
    return CATALOGUE["SystemForCrossDomainIdentityManagementServiceIncompatible"].info(
        additional_details=details
    )


def _scim_error(response: httpx.Response) -> tuple[str | None, str | None]:
    try:
        body = parsed_body(response)
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return None, None
    if not isinstance(body, dict):
        return None, None
    scim_type = body.get("scimType")
    detail = body.get("detail")
    return (
        scim_type if isinstance(scim_type, str) else None,
        detail if isinstance(detail, str) else None,
    )
