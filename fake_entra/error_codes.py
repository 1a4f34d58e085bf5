"""The provisioning error catalogue: every code a provisioning log entry or a quarantine can carry.

Sources (entra-provisioning-service.md §2-§3):

* S13 ``howto-analyze-provisioning-logs`` "Error codes" table (ms.date 09/26/2024): the
  failure codes and their descriptions. The table has one "Description" column that mixes
  cause and remedy; the cause sentences become :attr:`ErrorDefinition.reason` and the
  remedy sentences :attr:`ErrorDefinition.recommended_action`, verbatim where the table has
  them. Where the table gives no remedy the action is written here and says so in a comment.
* S11 ``application-provisioning-config-problem-no-users-provisioned``: the skip reasons.
* S4 ``application-provisioning-quarantine-status`` and Graph ``synchronizationQuarantine``:
  the quarantine reasons; S6 ``accidental-deletions`` for ``TooManyDeletes``.
* Graph ``provisioningErrorInfo``: the JSON shape (``errorInformation``) and the
  ``errorCategory`` values ``failure`` / ``nonServiceFailure`` / ``success``.
* Graph ``provisioningObjectSummary`` list example: the reason wording of an HTTP failure,
  "<app> returned an error response with the HTTP status code 409. ...".

S3 ("Errors and retries"): an error that prevents one object from being added, updated or
deleted is retried in the next cycle, so every failure here is escrowed (``retryable``) and
counts toward the escrow thresholds; skips are neither. ``transient`` marks the codes whose
description says "There's nothing to do" / "automatically retried in 40 minutes" (§2).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import TypedDict

#: Where a reason names the system on the other end and the caller did not say which.
DEFAULT_TARGET = "the target application"


class ErrorCategory(StrEnum):
    """Graph ``provisioningStatusErrorCategory``."""

    # The provisioning service itself failed (InternalError).
    FAILURE = "failure"
    # The target application, the data or the configuration failed; the Graph example
    # files a 409 EntryConflict under this category.
    NON_SERVICE_FAILURE = "nonServiceFailure"
    SUCCESS = "success"


class ErrorKind(StrEnum):
    """What a catalogue code is used for."""

    FAILURE = "Failure"  # a provisioning log entry with status failure; escrowed
    SKIP = "Skip"  # a provisioning log entry with status skipped
    QUARANTINE = "Quarantine"  # synchronizationQuarantine.reason
    # What Test Connection or a credentials quarantine shows (synchronizationQuarantine.error)
    CONNECTION = "Connection"


class ErrorInformationJson(TypedDict):
    """Graph ``provisioningErrorInfo`` as it appears under ``errorInformation``."""

    errorCode: str | None
    reason: str | None
    additionalDetails: str | None
    errorCategory: str | None
    recommendedAction: str | None


class _Fields(dict[str, str]):
    """Template fields with defaults, so a reason never fails to render for want of a name."""

    def __missing__(self, key: str) -> str:
        return {"target": DEFAULT_TARGET, "object_type": "User"}.get(key, "")


_FORMATTER = string.Formatter()


def _render(template: str, fields: Mapping[str, object]) -> str:
    """``template`` with ``fields`` filled in. The text depends only on the fields the
    template names, so it is rendered once for each combination of their values (the few
    hundred most recent): a skip of 100k+ objects logs "No action is needed." 100k+ times,
    and an entry's reason and its step's description (same template, same fields) are then
    one string, not two."""
    names = _field_names(template)
    if names is None:
        return _render_now(template, fields)
    return _render_cached(
        template, tuple(str(fields[name]) if name in fields else None for name in names)
    )


@lru_cache(maxsize=256)
def _field_names(template: str) -> tuple[str, ...] | None:
    """The names of the fields ``template`` reads, or None when that cannot be told
    simply (positional or nested fields): such a template is rendered every time."""
    names: list[str] = []
    for _literal, field_name, format_spec, _conversion in _FORMATTER.parse(template):
        if field_name is None:
            continue
        root = _FIELD_ROOT.match(field_name)
        name = root.group(0) if root else ""
        if not name.isidentifier() or "{" in (format_spec or ""):
            return None
        if name not in names:
            names.append(name)
    return tuple(names)


_FIELD_ROOT = re.compile(r"[^.\[]*")


@lru_cache(maxsize=512)
def _render_cached(template: str, values: tuple[str | None, ...]) -> str:
    names = _field_names(template) or ()
    return _render_now(
        template,
        {name: value for name, value in zip(names, values, strict=True) if value is not None},
    )


def _render_now(template: str, fields: Mapping[str, object]) -> str:
    values = _Fields({key: str(value) for key, value in fields.items()})
    # Collapse the double space a missing field leaves behind ("... the user  was ...").
    text = " ".join(_FORMATTER.vformat(template, (), values).split())
    # A field such as "the target application" may open a sentence: capitalise it there.
    return _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), text)


_SENTENCE_START = re.compile(r"(^|[.!?] )([a-z])")


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """One concrete error: what a log entry's ``provisioningStatusInfo.errorInformation`` holds."""

    error_code: str
    reason: str
    additional_details: str | None
    error_category: ErrorCategory | None
    recommended_action: str | None
    retryable: bool
    counts_toward_quarantine: bool = False
    transient: bool = False
    http_status: int | None = None
    retry_after: str | None = None

    def to_json(self) -> ErrorInformationJson:
        return {
            "errorCode": self.error_code,
            "reason": self.reason,
            "additionalDetails": self.additional_details,
            "errorCategory": None if self.error_category is None else str(self.error_category),
            "recommendedAction": self.recommended_action,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, str | None]) -> ErrorInfo:
        """Rebuild from Graph JSON; the flags the JSON does not carry come from the catalogue."""
        code = data.get("errorCode") or ""
        definition = CATALOGUE.get(code)
        category = data.get("errorCategory")
        return cls(
            error_code=code,
            reason=data.get("reason") or "",
            additional_details=data.get("additionalDetails"),
            error_category=ErrorCategory(category) if category else None,
            recommended_action=data.get("recommendedAction"),
            retryable=definition.retryable if definition else False,
            counts_toward_quarantine=definition.counts_toward_quarantine if definition else False,
            transient=definition.transient if definition else False,
        )


@dataclass(frozen=True, slots=True)
class ErrorDefinition:
    """A catalogue row. ``reason`` is a template: ``{target}``, ``{status}``,
    ``{object_type}``, ``{display_name}`` and any keyword given to :meth:`info`."""

    code: str
    kind: ErrorKind
    error_category: ErrorCategory | None
    reason: str
    recommended_action: str
    retryable: bool
    counts_toward_quarantine: bool
    transient: bool = False
    aliases: tuple[str, ...] = field(default=())

    def info(
        self,
        *,
        additional_details: str | None = None,
        reason: str | None = None,
        recommended_action: str | None = None,
        http_status: int | None = None,
        retry_after: str | None = None,
        **fields: object,
    ) -> ErrorInfo:
        """A concrete :class:`ErrorInfo`. ``reason``/``recommended_action`` replace the
        catalogue's text for a more specific situation; they are taken literally (a caller's
        text may hold braces, e.g. a ScopeEvaluationResult), only the catalogue's are templates."""
        if http_status is not None:
            fields.setdefault("status", http_status)
        return ErrorInfo(
            error_code=self.code,
            reason=reason if reason is not None else _render(self.reason, fields),
            additional_details=additional_details,
            error_category=self.error_category,
            recommended_action=(
                recommended_action
                if recommended_action is not None
                else _render(self.recommended_action, fields)
            ),
            retryable=self.retryable,
            counts_toward_quarantine=self.counts_toward_quarantine,
            transient=self.transient,
            http_status=http_status,
            retry_after=retry_after,
        )


# --- S13 wording, shared by the codes the table lists on one row --------------------------

_HTTP = "{target} returned an error response with the HTTP status code {status}."
_SEE_MAPPINGS = (
    "For more information, see Customize user provisioning attribute-mappings for SaaS "
    "applications in Microsoft Entra ID."
)
_SEE_TUTORIALS = (
    "Review any instructions that the target application provided, along with the respective "
    "application. For more information, see Tutorials for integrating applications with "
    "Microsoft Entra ID."
)
_RETRIED_IN_40 = "There's nothing to do. This attempt is automatically retried in 40 minutes."
_NOT_AUTHORIZED = (
    "Microsoft Entra ID authenticated with the target application but wasn't authorized to "
    "perform the update."
)
_CONFLICT_ACTION = (
    "Correct the conflicting attribute values in either Microsoft Entra ID or the application. "
    "Or, review your matching attribute configuration if the conflicting user account was "
    "supposed to be matched and taken over. " + _SEE_MAPPINGS
)
_MISSING_VALUES_REASON = "The user couldn't be created because required values are missing."
_MISSING_VALUES_ACTION = (
    "Correct the missing attribute values in the source record, or review your matching "
    "attribute configuration to ensure that the required fields aren't omitted. " + _SEE_MAPPINGS
)
_MISSING_MATCHING_REASON = (
    "The {object_type} {display_name} is missing the matching property defined in your "
    "attribute mappings. Without a value present on the user object for the matching "
    "attribute, the system can't evaluate scoping, matching, or export changes."
)
# S13 gives no separate remedy for ImportSkipped; this follows from its description.
_MISSING_MATCHING_ACTION = (
    "Populate the matching attribute on the source object, or review the matching attribute "
    "in your attribute mappings. " + _SEE_MAPPINGS
)


def _failure(
    code: str,
    reason: str,
    action: str,
    *,
    transient: bool = False,
    category: ErrorCategory = ErrorCategory.NON_SERVICE_FAILURE,
    aliases: tuple[str, ...] = (),
) -> ErrorDefinition:
    # S3: every object-level failure is escrowed, retried next cycle and counted toward the
    # escrow thresholds (S4 leaves reference failures out of the 40% rule; that is decided
    # per operation by the engine, not per code).
    return ErrorDefinition(
        code, ErrorKind.FAILURE, category, reason, action, True, True, transient, aliases
    )


def _skip(code: str, reason: str, action: str, aliases: tuple[str, ...] = ()) -> ErrorDefinition:
    return ErrorDefinition(code, ErrorKind.SKIP, None, reason, action, False, False, False, aliases)


def _quarantine(code: str, reason: str, action: str) -> ErrorDefinition:
    return ErrorDefinition(code, ErrorKind.QUARANTINE, None, reason, action, False, False)


_DEFINITIONS: tuple[ErrorDefinition, ...] = (
    # --- S13 error codes ---------------------------------------------------------------
    _failure(
        "EntryConflict",
        # Graph provisioningObjectSummary example (typo "exisits" corrected).
        _HTTP + " This response indicates that a user or a group already exists with the same "
        "name.",
        _CONFLICT_ACTION,
    ),
    _failure(
        "Conflict",
        _HTTP + " This response indicates that a user or a group already exists with the same "
        "name.",
        _CONFLICT_ACTION,
    ),
    _failure(
        "TooManyRequests",
        _HTTP + " The target app rejected this attempt to update the user because the app is "
        "receiving too many requests.",
        "There's nothing to do. This attempt is automatically retried and Microsoft was "
        "notified of this issue.",
        transient=True,
    ),
    _failure(
        "InternalServerError",
        _HTTP + " The target app returned an unexpected error. A service issue with the target "
        "application might be preventing it from working.",
        "This attempt is automatically retried in 40 minutes.",
        transient=True,
    ),
    _failure("InsufficientRights", _HTTP + " " + _NOT_AUTHORIZED, _SEE_TUTORIALS),
    _failure("MethodNotAllowed", _HTTP + " " + _NOT_AUTHORIZED, _SEE_TUTORIALS),
    _failure("NotPermitted", _HTTP + " " + _NOT_AUTHORIZED, _SEE_TUTORIALS),
    _failure("Unauthorized", _HTTP + " " + _NOT_AUTHORIZED, _SEE_TUTORIALS),
    _failure(
        "UnprocessableEntity",
        _HTTP + " The target application returned an unexpected response.",
        "The configuration of the target application might not be correct, or a service issue "
        "with the target application might be preventing it from working.",
    ),
    _failure(
        "WebExceptionProtocolError",
        "An HTTP protocol error occurred while connecting to the target application.",
        _RETRIED_IN_40,
        transient=True,
    ),
    _failure(
        "InvalidAnchor",
        "A user that was previously created or matched by the provisioning service no longer "
        "exists.",
        "Ensure that the user exists. To force a new matching of all users, use the Microsoft "
        "Graph API to restart the job. Restarting provisioning triggers an initial cycle, which "
        "can take time to complete. Restarting provisioning also deletes the cache that the "
        "provisioning service uses to operate. That means all users and groups in the tenant "
        "must be evaluated again, and certain provisioning events might be dropped.",
    ),
    _failure(
        "NotImplemented",
        _HTTP + " The target app returned an unexpected response.",
        "The configuration of the app might not be correct, or a service issue with the target "
        "app might be preventing it from working. " + _SEE_TUTORIALS,
    ),
    _failure("MandatoryFieldsMissing", _MISSING_VALUES_REASON, _MISSING_VALUES_ACTION),
    _failure("MissingValues", _MISSING_VALUES_REASON, _MISSING_VALUES_ACTION),
    _failure(
        "SchemaAttributeNotFound",
        "The operation couldn't be performed because an attribute was specified that doesn't "
        "exist in the target application.",
        "Ensure that your configuration is correct by referring to Customize user provisioning "
        "attribute-mappings for SaaS applications in Microsoft Entra ID.",
    ),
    _failure(
        "InternalError",
        "An internal service error occurred within the Microsoft Entra provisioning service.",
        _RETRIED_IN_40,
        transient=True,
        category=ErrorCategory.FAILURE,
    ),
    _failure(
        "InvalidDomain",
        "The operation couldn't be performed because an attribute value contains an invalid "
        "domain name.",
        "Update the domain name on the user or add it to the permitted list in the target "
        "application.",
    ),
    _failure(
        "Timeout",
        "The operation couldn't be completed because the target application took too long to "
        "respond.",
        _RETRIED_IN_40,
        transient=True,
    ),
    _failure(
        "LicenseLimitExceeded",
        "The user couldn't be created in the target application because there are no available "
        "licenses for this user.",
        "Procure more licenses for the target application. Or, review your user assignments and "
        "attribute mapping configuration to ensure that the correct users are assigned with the "
        "correct attributes.",
    ),
    _failure(
        "DuplicateTargetEntries",
        "The operation couldn't be completed because more than one user in the target "
        "application was found with the configured matching attributes.",
        "Remove the duplicate user from the target application, or reconfigure your attribute "
        "mappings. " + _SEE_MAPPINGS,
    ),
    _failure(
        "DuplicateSourceEntries",
        "The operation couldn't be completed because more than one user was found with the "
        "configured matching attributes.",
        "Remove the duplicate user, or reconfigure your attribute mappings. " + _SEE_MAPPINGS,
    ),
    _failure(
        "SystemForCrossDomainIdentityManagementMultipleEntriesInResponse",
        "A GET request to retrieve a user or group received multiple users or groups in the "
        "response. The system expects to receive only one user or group in the response.",
        # S13's example of the cause, turned into the remedy.
        "If you do a GET Group request to retrieve a group and provide a filter to exclude "
        "members, your System for Cross-Domain Identity Management (SCIM) endpoint must not "
        "return the members. Work with the application developer to fix the response.",
    ),
    _failure(
        "SystemForCrossDomainIdentityManagementServiceIncompatible",
        "The Microsoft Entra provisioning service is unable to parse the response from the "
        "non-Microsoft application.",
        "Work with the application developer to ensure that the SCIM server is compatible with "
        "the Microsoft Entra SCIM client.",
    ),
    # Not in S13's table; what tenants log for SCIM apps (entra-fidelity-audit.md #3).
    _failure(
        "SystemForCrossDomainIdentityManagementBadRequest",
        # 1Password/scim-examples#82: the reason a 400 on POST /Users shows, verbatim.
        "Error: The SCIM endpoint is not fully compatible with the Azure Active Directory SCIM "
        "client. Please refer to the Azure Active Directory SCIM provisioning documentation "
        "and adapt the SCIM endpoint to be able to process provisioning requests from Azure "
        "Active Directory.",
        "Work with the application developer to ensure that the SCIM server is compatible with "
        "the Microsoft Entra SCIM client.",
    ),
    _failure(
        "SchemaPropertyCanOnlyAcceptValue",
        "The property in the target system can only accept one value, but the property in the "
        "source system has multiple.",
        "Ensure that you either map a single-valued attribute to the property that is throwing "
        "an error, update the value in the source to be single-valued, or remove the attribute "
        "from the mappings.",
    ),
    # S13 lists these two among the error codes, but they describe objects that were not
    # acted on, so the entry's status is skipped.
    _skip("ImportSkipped", _MISSING_MATCHING_REASON, _MISSING_MATCHING_ACTION),
    _skip(
        "EntrySynchronizationSkipped",
        "The provisioning service successfully queried the source system and identified the "
        "user. No further action was taken on the user and they were skipped.",
        # S13: the two explanations it gives; neither needs a fix.
        "The user might have been out of scope or already existed in the target system with no "
        "further changes required.",
    ),
    # --- skip reasons (SkipReason in the EntrySynchronizationSkip step) -----------------
    _skip(
        "NotEffectivelyEntitled",
        # S11 (and the tutorial rule for Default Access, configs before 16 Apr 2020).
        "The {object_type} {display_name} is \u201cnot effectively entitled\u201d.",
        "There's a problem with the user assignment record stored in Microsoft Entra ID. To fix "
        "this issue, unassign the user (or group) from the app, and reassign it again.",
    ),
    _skip(
        "OutOfScope",
        # S11: "A scoping filter has been configured that is filtering the user out based on
        # an attribute value"; S13: Sync All logs every out-of-scope object as skipped.
        "The {object_type} {display_name} isn't in scope for provisioning: it isn't assigned "
        "to the application, or a scoping filter has been configured that is filtering it out "
        "based on an attribute value.",
        "If the {object_type} should be provisioned, assign it to the application or review "
        "the scoping filters.",
        aliases=("ScopingFilter",),
    ),
    _skip(
        "RedundantExport",
        # Graph provisionOnDemand example, EntrySynchronizationSkip step.
        "The state of the user in both the source and target systems already match. No change "
        "to the {object_type} {display_name} currently needs to be made.",
        "No action is needed.",
    ),
    _skip("MissingMatchingValue", _MISSING_MATCHING_REASON, _MISSING_MATCHING_ACTION),
    _skip(
        "StagedDelete",
        # S6 accidental-deletions: the logs list "users that should be disabled / deleted but
        # haven't due to the deletion threshold" under the action StagedDelete.
        "The {object_type} {display_name} should be disabled or deleted but hasn't been, due "
        "to the accidental deletion threshold.",
        # S6 "Allowing deletions" and "Rejecting deletions".
        "Select Allow deletes to process the deletions. Or prevent them by assigning the user "
        "or group to the application again, restoring it, or updating your provisioning "
        "configuration, and then restart provisioning.",
    ),
    # --- quarantine reasons (Graph synchronizationQuarantine.reason) ---------------------
    # S4 names the thresholds but not which reason code each one raises: the proportion
    # code is documented as ">40%"; base and total are mapped to the 40,000 and the 60,000
    # rules here, which is inferred.
    _quarantine(
        "EncounteredBaseEscrowThreshold",
        "Provisioning exceeded the escrow threshold: there are more than 40,000 failures. "
        "Reference failures aren't counted.",
        "Review the provisioning logs to further investigate what errors are causing quarantine "
        "and address the error, then restart provisioning.",
    ),
    _quarantine(
        "EncounteredTotalEscrowThreshold",
        "Provisioning exceeded the absolute threshold of 60,000 failures, counting both "
        "reference and non-reference failures.",
        "Review the provisioning logs to further investigate what errors are causing quarantine "
        "and address the error, then restart provisioning.",
    ),
    _quarantine(
        "EncounteredEscrowProportionThreshold",
        "Provisioning exceeded the escrow threshold. This condition occurs when more than 40% "
        "of provisioning events failed.",
        "Review the provisioning logs to further investigate what errors are causing quarantine "
        "and address the error, then restart provisioning.",
    ),
    _quarantine(
        "EncounteredQuarantineException",
        "Invalid credentials were provided, or the target application isn't SCIM-compliant. "
        "The provisioning service is unable to establish a connection between the source "
        "system and the target system.",
        "Navigate to the admin credentials section of the provisioning configuration UI and "
        "authorize access again with valid credentials. If the application is in the gallery, "
        "review the application configuration tutorial for anymore required steps.",
    ),
    _quarantine(
        "Unknown",
        "The provisioning job was placed in quarantine for an unknown reason.",
        "Review the provisioning logs to further investigate what errors are causing quarantine "
        "and address the error, then restart provisioning.",
    ),
    _quarantine(
        "QuarantinedOnDemand",
        "An issue was detected with your application and it was manually set to quarantine.",
        "Review the provisioning logs to further investigate what errors are causing quarantine "
        "and address the error, then restart provisioning.",
    ),
    _quarantine(
        "TooManyDeletes",
        # S6: deletes and disables of users and groups both count, evaluated per cycle.
        "The deletion threshold was met: the cycle would delete or disable more objects than "
        "the accidental deletion threshold allows.",
        "Select Allow deletes to delete the objects that triggered the accidental delete "
        "threshold, or investigate the deletions in the provisioning logs, prevent them, and "
        "then restart provisioning.",
    ),
    _quarantine(
        "IngestionInterrupted",
        "Reading changes from the source system was interrupted.",
        "Restart provisioning. If the quarantine persists, review the provisioning logs.",
    ),
    # --- connection errors (synchronizationQuarantine.error) -------------------------------
    # Q 4969398 (Microsoft): an invalid Secret Token shows this code; it is the error a
    # credentials quarantine carries (entra-fidelity-audit.md #15).
    ErrorDefinition(
        "SystemForCrossDomainIdentityManagementCredentialValidationFailure",
        ErrorKind.CONNECTION,
        None,
        "The supplied credentials were refused: the target application answered HTTP 401 or "
        "403 to the provisioning service.",
        "Navigate to the admin credentials section of the provisioning configuration UI and "
        "authorize access again with valid credentials.",
        retryable=False,
        counts_toward_quarantine=False,
    ),
)


_KIND_NAMES = {
    ErrorKind.FAILURE: "failure code",
    ErrorKind.SKIP: "skip reason",
    ErrorKind.QUARANTINE: "quarantine reason",
    ErrorKind.CONNECTION: "connection error",
}


class _Catalogue(Mapping[str, ErrorDefinition]):
    """Codes looked up case-insensitively, aliases included (``ScopingFilter`` → OutOfScope)."""

    def __init__(self, definitions: tuple[ErrorDefinition, ...]) -> None:
        self._by_code = {definition.code: definition for definition in definitions}
        self._by_key: dict[str, ErrorDefinition] = {}
        for definition in definitions:
            for name in (definition.code, *definition.aliases):
                self._by_key[name.lower()] = definition

    def __getitem__(self, code: str) -> ErrorDefinition:
        try:
            return self._by_key[code.lower()]
        except KeyError:
            raise KeyError(f"{code!r} is not a provisioning error code") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_code)

    def __len__(self) -> int:
        return len(self._by_code)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code.lower() in self._by_key

    def require(self, code: str, kind: ErrorKind) -> ErrorDefinition:
        """The row for ``code``, which must be of ``kind`` (ValueError otherwise)."""
        definition = self[code]
        if definition.kind is not kind:
            raise ValueError(f"{code!r} is not a {_KIND_NAMES[kind]}")
        return definition

    def of_kind(self, kind: ErrorKind) -> list[ErrorDefinition]:
        return [definition for definition in self._by_code.values() if definition.kind is kind]


CATALOGUE = _Catalogue(_DEFINITIONS)


def lookup(code: str) -> ErrorDefinition:
    """The catalogue row for ``code`` (case-insensitive, aliases accepted); KeyError if unknown."""
    return CATALOGUE[code]
