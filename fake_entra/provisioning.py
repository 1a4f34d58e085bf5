"""The Provisioning page of an enterprise application.

Everything the tutorial does on that page before the first cycle
(linkedin-scim.md §6 steps 10-17): Provisioning Mode, Admin Credentials and
Test Connection, Notification Email, Save, Attribute Mappings and Settings. The
page is a form: setters change the form, :meth:`ProvisioningConfiguration.save`
validates it and, on success, keeps a :class:`SavedProvisioning` snapshot. The
provisioning engine reads only what was saved, so a Save that fails (say, on the
credential storage limit) leaves nothing for a cycle to use even though Test
Connection passed.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import random
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from fake_entra.dialects import Dialect
from fake_entra.directory import ObjectType, PortalError
from fake_entra.http_errors import status_code_name
from fake_entra.mappings import ObjectMapping, default_group_mapping, default_user_mapping
from fake_entra.scim_client import (
    DEFAULT_TIMEOUT_SECONDS,
    LIST_RESPONSE_SCHEMA,
    OriginKind,
    RequestOrigin,
    ScimClient,
    TenantUrl,
)

#: §2 "Accidental deletions": QuarantineTooManyDeletesThreshold = "500".
DEFAULT_DELETION_THRESHOLD = 500

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


class ProvisioningMode(StrEnum):
    MANUAL = "Manual"
    AUTOMATIC = "Automatic"


class ProvisioningStatus(StrEnum):
    ON = "On"
    OFF = "Off"


class ProvisioningScope(StrEnum):
    SYNC_ASSIGNED = "Sync only assigned users and groups"
    SYNC_ALL = "Sync all users and groups"


class DefaultAccessRule(StrEnum):
    """How a "Default Access" assignment counts (entra-provisioning-service.md §2 "Scope").

    The tutorial's rule (configs created before 16 Apr 2020, linkedin-scim.md §4):
    users assigned only with Default Access are skipped as "not effectively
    entitled". Since then Default Access is evaluated like any role.
    """

    NOT_EFFECTIVELY_ENTITLED = "Default Access is not effectively entitled (tutorial rule)"
    LIKE_ANY_ROLE = "Default Access is evaluated like any role (since 2020)"


@dataclass(frozen=True, slots=True)
class PortalKnownIssues:
    """Known issues of the Provisioning page, each a setting (README "Fidelity")."""

    #: D known-issues, "Unable to change provisioning mode back to manual": "You can't change
    #: it back to manual. But you can turn off provisioning through the UI."
    manual_mode_locked_once_saved: bool = True
    #: bitwarden/server#7309 (2026): "Entra ID allows saving the provisioning configuration if
    #: and only if test connection is successful"; Q 4969398 (Microsoft): "Perform a test
    #: connection ... Save the configuration once the test is successful". Vendors observe it,
    #: Microsoft documents no such rule: new Admin Credentials need a passing Test Connection.
    #: On: the rule for a vendor-observed behaviour is what vendors observe (issue 19).
    save_requires_test_connection: bool = True
    #: The error code a failed Test Connection shows when the endpoint answered with anything
    #: but 401 (404, 5xx, a body that is no ListResponse). Broadcom KB 430118 shows
    #: CredentialValidationFailure ("... we received this unexpected response") for a 401
    #: only; that other unexpected answers show the same code is probable, not observed.
    #: None: the notification names no code.
    unexpected_answer_code: str | None = (
        "SystemForCrossDomainIdentityManagementCredentialValidationFailure"
    )


#: What Test Connection's failure notification calls its error code. Broadcom KB 430118 shows a
#: 401 as "Failed to test connection to target application / Error code
#: SystemForCrossDomainIdentityManagementCredentialValidationFailure / Error message While
#: attempting to validate our authorization to access your application, we received this
#: unexpected response"; provisim shows the same code for every unexpected answer (probable).
CREDENTIAL_VALIDATION_FAILURE = "SystemForCrossDomainIdentityManagementCredentialValidationFailure"
#: bitwarden/server#7309: no answer at all shows "Error code CredentialValidationUnavailable ...
#: An error occured while sending the request" (the .NET HttpRequestException text).
CREDENTIAL_VALIDATION_UNAVAILABLE = "CredentialValidationUnavailable"
_UNEXPECTED_RESPONSE = (
    "While attempting to validate our authorization to access your application, we received "
    "this unexpected response:"
)


class NotificationLevel(StrEnum):
    SUCCESS = "Success"
    INFORMATION = "Information"
    ERROR = "Error"


@dataclass(frozen=True, slots=True)
class PortalNotification:
    """A notification in the portal's upper-right corner."""

    level: NotificationLevel
    title: str
    message: str
    at: datetime


@dataclass(slots=True)
class AdminCredentials:
    tenant_url: str = ""
    # Issue 8: a Secret Token must not surface in a repr (tracebacks, logs, reports).
    secret_token: str = dataclasses.field(default="", repr=False)


@dataclass(slots=True)
class ProvisioningSettings:
    """The Settings section, plus the service-side switches a job carries."""

    scope: ProvisioningScope = ProvisioningScope.SYNC_ASSIGNED
    provisioning_status: ProvisioningStatus = ProvisioningStatus.OFF
    prevent_accidental_deletions: bool = True
    accidental_deletion_threshold: int = DEFAULT_DELETION_THRESHOLD
    default_access_rule: DefaultAccessRule = DefaultAccessRule.NOT_EFFECTIVELY_ENTITLED
    # S15: SkipOutOfScopeDeletions=True suppresses the disables of out-of-scope users.
    skip_out_of_scope_deletions: bool = False


@dataclass(frozen=True, slots=True)
class SavedProvisioning:
    """What the last successful Save stored; the engine reads only this."""

    mode: ProvisioningMode
    credentials: AdminCredentials
    notification_email: str
    send_email_on_failure: bool
    settings: ProvisioningSettings
    saved_at: datetime

    @property
    def patch_dialect(self) -> Dialect:
        return TenantUrl(self.credentials.tenant_url).patch_dialect

    @property
    def is_running(self) -> bool:
        """Automatic mode with Provisioning Status On: cycles should run."""
        return (
            self.mode is ProvisioningMode.AUTOMATIC
            and self.settings.provisioning_status is ProvisioningStatus.ON
        )


class ConnectionFailure(StrEnum):
    """Why Test Connection failed."""

    UNAUTHORIZED = "Unauthorized"
    NOT_FOUND = "NotFound"
    UNEXPECTED_STATUS = "UnexpectedStatus"
    UNREACHABLE = "Unreachable"
    TIMEOUT = "Timeout"
    NOT_A_LIST_RESPONSE = "NotAListResponse"
    FILTER_IGNORED = "FilterIgnored"


@dataclass(frozen=True, slots=True)
class ConnectionTestResult:
    succeeded: bool
    request_url: str
    message: str
    failure: ConnectionFailure | None = None
    status_code: int | None = None
    #: The error code the failure notification shows (None on success).
    error_code: str | None = None
    #: The Admin Credentials that were tested.
    credentials: AdminCredentials | None = None


class CredentialStore(Protocol):
    """The application instance whose credential storage the configuration uses."""

    @property
    def display_name(self) -> str: ...

    def credential_bytes_available(self) -> int: ...


def validate_tenant_url(tenant_url: str) -> None:
    """An absolute https URL; plain http only on a loopback host, for local fakes."""
    parts = urlsplit(tenant_url.strip())
    example = "for example https://api.linkedin.com"
    if not tenant_url.strip():
        raise PortalError(f"Enter a Tenant URL, {example}.")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise PortalError(f"The Tenant URL '{tenant_url}' is not an absolute URL; {example}.")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        # S1: Entra talks to SCIM endpoints over TLS 1.2 only.
        raise PortalError(
            f"The Tenant URL must use https: Microsoft Entra connects over TLS only ({example})."
        )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def split_emails(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,]", text) if part.strip()]


class ProvisioningConfiguration:
    """The Provisioning page of one enterprise application."""

    def __init__(
        self,
        store: CredentialStore,
        *,
        now: Callable[[], datetime],
        rng: random.Random,
        notifications: list[PortalNotification],
        authorize: Callable[[str], None],
        transport: httpx.BaseTransport | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        known_issues: PortalKnownIssues | None = None,
        user_mapping: ObjectMapping | None = None,
        group_mapping: ObjectMapping | None = None,
    ) -> None:
        self._store = store
        self.known_issues = known_issues or PortalKnownIssues()
        self._now = now
        self._rng = rng
        self._authorize = authorize
        self.notifications = notifications
        self.transport = transport
        self.timeout = timeout
        # The form.
        self.mode = ProvisioningMode.MANUAL
        self.admin_credentials = AdminCredentials()
        self.notification_email = ""
        self.send_email_on_failure = False
        self.settings = ProvisioningSettings()
        # What was saved.
        self.saved: SavedProvisioning | None = None
        self._user_mapping = user_mapping or default_user_mapping()
        self._group_mapping = group_mapping or default_group_mapping()
        self.mappings_version = 1
        # §2 "Restart": a new configuration starts with an initial (full) cycle.
        self.requires_full_sync = True
        self.last_connection_test: ConnectionTestResult | None = None
        #: Called with each successful Save; the provisioning job listens here so
        #: that "Provisioning Status: On" + Save starts the initial cycle.
        self.save_listeners: list[Callable[[SavedProvisioning], None]] = []

    def authorize(self, action: str) -> None:
        """Refuse ``action`` (PortalError) unless the signed-in admin may manage this
        application: the check every portal action on the Provisioning page makes, and the
        provisioning job's own actions (Restart, Allow deletes, Provision on demand) too."""
        self._authorize(action)

    # -- the form (tutorial steps 11-13, 16) -----------------------------

    def set_provisioning_mode(self, mode: ProvisioningMode | str) -> None:
        """Step 11: Provisioning Mode."""
        self._authorize("Set Provisioning Mode")
        mode = ProvisioningMode(mode)
        if (
            mode is ProvisioningMode.MANUAL
            and self.known_issues.manual_mode_locked_once_saved
            and self.saved is not None
            and self.saved.mode is ProvisioningMode.AUTOMATIC
        ):
            # D known-issues: once Automatic is saved, the mode can't go back to Manual.
            raise PortalError(
                "Provisioning Mode can't be changed back to Manual once provisioning is "
                "configured; set Provisioning Status to Off instead."
            )
        self.mode = mode

    def set_admin_credentials(self, tenant_url: str, secret_token: str) -> None:
        """Step 12: Admin Credentials (shown only in Automatic mode)."""
        self._authorize("Enter Admin Credentials")
        self._require_automatic("Admin Credentials")
        self.admin_credentials = AdminCredentials(tenant_url.strip(), secret_token.strip())

    def set_notification_email(self, email: str, *, send_email_on_failure: bool = True) -> None:
        """Step 13: Notification Email and "Send an email notification when a failure occurs"."""
        self._authorize("Set Notification Email")
        self._require_automatic("Notification Email")
        self.notification_email = email.strip()
        self.send_email_on_failure = send_email_on_failure

    def set_scope(self, scope: ProvisioningScope | str) -> None:
        self._authorize("Change Scope")
        self.settings.scope = ProvisioningScope(scope)

    def set_provisioning_status(self, status: ProvisioningStatus | str) -> None:
        """Step 16: Provisioning Status On or Off (takes effect on Save)."""
        self._authorize("Change Provisioning Status")
        self.settings.provisioning_status = ProvisioningStatus(status)

    def set_accidental_deletion_prevention(
        self, enabled: bool, threshold: int = DEFAULT_DELETION_THRESHOLD
    ) -> None:
        self._authorize("Change accidental deletions prevention")
        self.settings.prevent_accidental_deletions = enabled
        self.settings.accidental_deletion_threshold = threshold

    def set_default_access_rule(self, rule: DefaultAccessRule) -> None:
        self._authorize("Change the Default Access rule")
        self.settings.default_access_rule = DefaultAccessRule(rule)

    def set_skip_out_of_scope_deletions(self, skip: bool) -> None:
        self._authorize("Change SkipOutOfScopeDeletions")
        self.settings.skip_out_of_scope_deletions = skip

    def discard(self) -> None:
        """ "Discard": the form goes back to what was saved."""
        if self.saved is None:
            self.mode = ProvisioningMode.MANUAL
            self.admin_credentials = AdminCredentials()
            self.notification_email = ""
            self.send_email_on_failure = False
            self.settings = ProvisioningSettings()
            return
        self.mode = self.saved.mode
        self.admin_credentials = dataclasses.replace(self.saved.credentials)
        self.notification_email = self.saved.notification_email
        self.send_email_on_failure = self.saved.send_email_on_failure
        self.settings = dataclasses.replace(self.saved.settings)

    # -- Test Connection (step 12) ---------------------------------------

    def test_connection(self) -> ConnectionTestResult:
        """Send Entra's probe: a filter on the matching attribute for a random GUID.

        S1: Entra "queries the SCIM endpoint for a user that doesn't exist, using
        a random GUID as the matching property" and expects 200 with an empty
        ListResponse. Endpoint failures come back as a failed result and an error
        notification; a form that can't be tested raises PortalError.
        """
        self._authorize("Test Connection")
        self._require_automatic("Test Connection")
        credentials = self.admin_credentials
        validate_tenant_url(credentials.tenant_url)
        if not credentials.secret_token:
            raise PortalError("Enter the Secret Token before testing the connection.")
        attribute = self._user_mapping.matching_mappings()[0].target_attribute
        probe = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
        with ScimClient(
            credentials.tenant_url,
            credentials.secret_token,
            transport=self.transport,
            timeout=self.timeout,
        ) as client:
            url = client.tenant_url.url_for("/Users")
            try:
                # Tagged as Test Connection's, so that a recorder never takes the probe
                # for part of a cycle (one may be waiting out a Retry-After right now).
                response = client.query(
                    "/Users",
                    attribute,
                    probe,
                    origin=RequestOrigin(OriginKind.TEST_CONNECTION, probe),
                )
            except httpx.TimeoutException:
                result = self._failed(
                    url,
                    ConnectionFailure.TIMEOUT,
                    f"The SCIM endpoint at {url} did not answer within {self.timeout:g} seconds.",
                )
            except httpx.TransportError as error:
                result = self._failed(
                    url,
                    ConnectionFailure.UNREACHABLE,
                    f"Could not reach the SCIM endpoint at {url} ({type(error).__name__}: "
                    f"{error}). Check the Tenant URL.",
                )
            else:
                result = self._judge(url, response)
                if not result.succeeded:
                    result = dataclasses.replace(
                        result,
                        error_code=CREDENTIAL_VALIDATION_FAILURE
                        if response.status_code == 401
                        else self.known_issues.unexpected_answer_code,
                        message=f"{result.message} {_UNEXPECTED_RESPONSE} Resource: "
                        f"{response.request.url}; Operation: GET; Response Status Code: "
                        f"{status_code_name(response.status_code)}.",
                    )
        result = dataclasses.replace(result, credentials=dataclasses.replace(credentials))
        self.last_connection_test = result
        message = result.message
        if not result.succeeded:
            code = "" if result.error_code is None else f" Error code: {result.error_code}."
            message = (
                f"Failed to test connection to target application.{code} Error message: {message}"
            )
        self._notify(
            NotificationLevel.SUCCESS if result.succeeded else NotificationLevel.ERROR,
            f"Testing connection to {self._store.display_name}",
            message,
        )
        return result

    def _judge(self, url: str, response: httpx.Response) -> ConnectionTestResult:
        status = response.status_code
        if status in (401, 403):
            return self._failed(
                url,
                ConnectionFailure.UNAUTHORIZED,
                f"The SCIM endpoint refused the Secret Token (HTTP {status} "
                f"{response.reason_phrase}). You appear to have entered invalid credentials; "
                "check the Secret Token and that it belongs to an administrator.",
                status,
            )
        if status == 404:
            # S4: a 404 on a query is the "SCIM compliance" failure.
            return self._failed(
                url,
                ConnectionFailure.NOT_FOUND,
                "The SCIM endpoint answered HTTP 404 to a query for a user that doesn't exist; "
                "it must answer 200 with an empty ListResponse. Check the Tenant URL.",
                status,
            )
        if status != 200:
            return self._failed(
                url,
                ConnectionFailure.UNEXPECTED_STATUS,
                f"The SCIM endpoint answered HTTP {status} {response.reason_phrase} to a query "
                "for a user that doesn't exist; it must answer 200 with an empty ListResponse.",
                status,
            )
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        if (
            not isinstance(body, dict)
            or LIST_RESPONSE_SCHEMA not in (body.get("schemas") or [])
            or not isinstance(body.get("totalResults"), int)
        ):
            return self._failed(
                url,
                ConnectionFailure.NOT_A_LIST_RESPONSE,
                "The SCIM endpoint answered 200, but the body is not a SCIM ListResponse "
                f'(schemas must contain "{LIST_RESPONSE_SCHEMA}" and totalResults must be a '
                "number).",
                status,
            )
        found = max(body["totalResults"], len(body.get("Resources") or []))
        if found:
            return self._failed(
                url,
                ConnectionFailure.FILTER_IGNORED,
                f"The query for a user that doesn't exist returned {found} resource(s); the "
                "endpoint must apply the filter and return an empty ListResponse.",
                status,
            )
        return ConnectionTestResult(
            True,
            url,
            "The supplied credentials are authorized to enable provisioning.",
            None,
            status,
        )

    @staticmethod
    def _failed(
        url: str, failure: ConnectionFailure, message: str, status: int | None = None
    ) -> ConnectionTestResult:
        # bitwarden/server#7309: no answer is CredentialValidationUnavailable; an answer that
        # fails is re-coded by test_connection as CredentialValidationFailure.
        return ConnectionTestResult(
            False, url, message, failure, status, CREDENTIAL_VALIDATION_UNAVAILABLE
        )

    # -- Save (steps 14 and 17) ------------------------------------------

    def credential_bytes(self) -> int:
        """What the form would store in the app's credential storage.

        S17 (application-provisioning-config-problem-storage-limit): "secret
        tokens, URIs, notification email addresses, user names, and passwords".
        """
        return sum(
            len(text.encode())
            for text in (
                self.admin_credentials.tenant_url,
                self.admin_credentials.secret_token,
                self.notification_email,
            )
        )

    def save(self, *, portal: bool = True) -> SavedProvisioning:
        """Validate the form and store it; raises PortalError and notifies on failure.

        ``portal=False`` is a save through Graph (PUT .../synchronization/secrets), which
        needs no Test Connection: the known issue is the portal's Save button's.
        """
        self._authorize("Save")
        try:
            self._validate_form(portal=portal)
        except PortalError as error:
            self._notify(
                NotificationLevel.ERROR,
                f"Failed to save provisioning settings for {self._store.display_name}",
                error.notification,
            )
            raise
        previous = self.saved
        self.saved = SavedProvisioning(
            self.mode,
            dataclasses.replace(self.admin_credentials),
            self.notification_email,
            self.send_email_on_failure,
            dataclasses.replace(self.settings),
            self._now(),
        )
        self._notify(
            NotificationLevel.SUCCESS,
            f"Saved provisioning settings for {self._store.display_name}",
            "Your changes have been saved.",
        )
        if (
            previous is not None
            and previous.settings.scope is ProvisioningScope.SYNC_ALL
            and self.settings.scope is ProvisioningScope.SYNC_ASSIGNED
        ):
            # S14: switching Sync All -> Sync assigned takes effect only after a restart.
            self._notify(
                NotificationLevel.INFORMATION,
                "Scope changed",
                "Restart provisioning for the new scope to take effect on users already "
                "provisioned.",
            )
        for listener in tuple(self.save_listeners):
            listener(self.saved)
        return self.saved

    def _validate_form(self, *, portal: bool) -> None:
        settings = self.settings
        if self.mode is ProvisioningMode.MANUAL:
            if settings.provisioning_status is ProvisioningStatus.ON:
                raise PortalError(
                    "Provisioning Status can be On only when Provisioning Mode is Automatic."
                )
            return
        credentials = self.admin_credentials
        validate_tenant_url(credentials.tenant_url)
        if not credentials.secret_token:
            raise PortalError("Enter the Secret Token from LinkedIn's SCIM Setup.")
        emails = split_emails(self.notification_email)
        for email in emails:
            if not _EMAIL.match(email):
                raise PortalError(f"'{email}' is not a valid email address.")
        if self.send_email_on_failure and not emails:
            raise PortalError(
                "Enter a Notification Email to send an email notification when a failure occurs."
            )
        threshold = settings.accidental_deletion_threshold
        if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
            raise PortalError(
                f"The accidental deletion threshold must be a whole number of 1 or more, "
                f"not {threshold!r}."
            )
        if portal:
            # After the form's own checks: those need no request.
            self._require_tested(credentials)
        needed = self.credential_bytes()
        available = self._store.credential_bytes_available()
        if needed > available:
            raise PortalError(
                f"The admin credentials could not be saved: they need {needed} bytes, but only "
                f"{max(available, 0)} bytes of this application's credential storage remain "
                "(Microsoft Entra stores at most 1024 bytes of certificates, secret tokens, "
                "URIs and notification emails per application, and a SAML signing certificate "
                "uses most of it). Add a second instance named "
                f'"{self._store.display_name} (Provisioning)" from the gallery for '
                "provisioning only, or remove optional fields such as the Notification Email."
            )

    def _require_tested(self, credentials: AdminCredentials) -> None:
        """PortalKnownIssues.save_requires_test_connection: Admin Credentials that differ
        from the saved ones need a passing Test Connection of exactly these credentials."""
        if not self.known_issues.save_requires_test_connection:
            return
        if self.saved is not None and self.saved.credentials == credentials:
            return
        tested = self.last_connection_test
        if tested is None or tested.credentials != credentials:
            raise PortalError(
                "Click Test Connection before saving: the Admin Credentials must pass Test "
                "Connection to be saved."
            )
        if not tested.succeeded:
            code = "" if tested.error_code is None else f" (Error code: {tested.error_code})"
            raise PortalError(
                f"Test Connection failed for these Admin Credentials{code}; fix them and test "
                "again before saving."
            )

    # -- Attribute Mappings (step 15) ------------------------------------

    @property
    def user_mapping(self) -> ObjectMapping:
        """The saved user mapping (read it; edit a copy from open_attribute_mapping)."""
        return self._user_mapping

    @property
    def group_mapping(self) -> ObjectMapping:
        return self._group_mapping

    def open_attribute_mapping(self, source_object: ObjectType | str) -> ObjectMapping:
        """Select a mapping in the Mappings list: a draft copy to edit and save."""
        source = ObjectType(source_object)
        return (self._user_mapping if source is ObjectType.USER else self._group_mapping).copy()

    def save_attribute_mapping(self, draft: ObjectMapping) -> None:
        """Save on the Attribute Mapping page: validate, store, force a full sync.

        S7 and S9: saving mappings or scoping filters re-evaluates every object
        at the next cycle.
        """
        self._authorize("Save attribute mappings")
        try:
            draft.validate()
        except PortalError as error:
            self._notify(
                NotificationLevel.ERROR, f"Failed to save {draft.name}", error.notification
            )
            raise
        saved = draft.copy()
        if draft.source_object is ObjectType.USER:
            self._user_mapping = saved
        else:
            self._group_mapping = saved
        self.mappings_version += 1
        self.requires_full_sync = True
        self._notify(
            NotificationLevel.SUCCESS, f"Saved {draft.name}", "Your changes have been saved."
        )

    def clear_full_sync_request(self) -> None:
        """The engine calls this when it starts the full cycle it was asked for."""
        self.requires_full_sync = False

    # -- what the engine reads -------------------------------------------

    @property
    def saved_settings(self) -> ProvisioningSettings:
        """The saved settings, or the defaults before the first Save."""
        return self.saved.settings if self.saved is not None else ProvisioningSettings()

    @property
    def patch_dialect(self) -> Dialect:
        """The dialect of the saved Tenant URL (the form's, before any Save)."""
        url = self.saved.credentials.tenant_url if self.saved else self.admin_credentials.tenant_url
        return TenantUrl(url).patch_dialect

    def scim_client(self) -> ScimClient:
        """A client for the saved credentials: what every cycle talks through."""
        if self.saved is None or self.saved.mode is not ProvisioningMode.AUTOMATIC:
            raise PortalError(
                "Provisioning is not configured: save Automatic mode and credentials."
            )
        return ScimClient(
            self.saved.credentials.tenant_url,
            self.saved.credentials.secret_token,
            transport=self.transport,
            timeout=self.timeout,
        )

    # -- internals -------------------------------------------------------

    def _require_automatic(self, section: str) -> None:
        if self.mode is not ProvisioningMode.AUTOMATIC:
            raise PortalError(f"{section} is available only when Provisioning Mode is Automatic.")

    def _notify(self, level: NotificationLevel, title: str, message: str) -> None:
        self.notifications.append(PortalNotification(level, title, message, self._now()))
