"""The Graph face's settings: every behaviour the documentation leaves open is named here.

Each default is the most plausible reading of the docs and is listed in the README's
fidelity table ("Automating with Microsoft Graph"); none of them is claimed as fidelity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from fake_entra.tenant import DirectoryRole


@dataclass(frozen=True)
class GraphSettings:
    #: The bearer token every call must carry. None: any non-empty bearer token is accepted
    #: (a fake has no identity platform); a missing header is always 401 [reference A.1].
    token: str | None = None
    #: Accept a call that carries no Authorization header at all, as msgraph-sdk sends with
    #: its AnonymousAuthenticationProvider [reference A.1, A.4]. A header that is present is
    #: still checked against ``token``. Off: issue 12 asks for a bearer on every call.
    allow_anonymous: bool = False
    #: Who holds the bearer token (a fake has no identity platform to say): every Graph call
    #: acts as this admin with this directory role, and the portal's session is left as it
    #: was. The default is the least role the tutorial's steps need (linkedin-scim.md §6
    #: step 7). None: calls act as whoever is signed in to the portal (``Tenant.sign_in``),
    #: and are 403 Authorization_RequestDenied when no one is or the role falls short.
    caller_role: DirectoryRole | None = DirectoryRole.CLOUD_APPLICATION_ADMINISTRATOR
    #: The caller's user principal name; None: ``graph-client@<the tenant's default domain>``.
    caller_user_principal_name: str | None = None
    #: Page size of a collection when the caller gives no ``$top`` (unconfirmed: Graph's
    #: users list documents 100; the provisioning logs give none).
    default_page_size: int = 100
    #: The largest ``$top`` accepted; more is 400 (Graph users: 1..999).
    max_page_size: int = 999
    #: The synchronization template id and factoryTag of LinkedIn Elevate (not published;
    #: reference A.6). A job created from it has the id
    #: ``{template id}.{tenant id without dashes}.{guid}`` (reference A.1 "IDs").
    synchronization_template_id: str = "linkedInElevate"
    #: ``GET …/synchronization/secrets`` (beta only in the docs) shows SecretToken as this
    #: instead of its value (unconfirmed whether Graph masks it).
    masked_secret: str = "*****"
    #: validateCredentials that fails: the status and code of the OData error (the failure
    #: body is unconfirmed, reference A.2 #8).
    credential_failure_status: int = 400
    credential_failure_code: str = "CredentialValidationFailed"
    #: provisionOnDemand beyond its rate limit (5 requests / 10 s): 429 with this Retry-After.
    on_demand_retry_after: timedelta = timedelta(seconds=10)
    #: ``GET /auditLogs/provisioning`` lists the newest entry first (the docs give no order).
    logs_newest_first: bool = True
    #: ``GET /auditLogs/directoryAudits`` lists the newest entry first (the docs give no order).
    audits_newest_first: bool = True
    #: The largest request body accepted; a larger one is 413 RequestEntityTooLarge, read no
    #: further than this (unconfirmed for these endpoints: Graph documents 4 MB for requests
    #: such as JSON batches and attachments, and no body here comes near it).
    max_request_bytes: int = 4 * 1024 * 1024
    #: Whether a second job may be created from a template that already has one on the same
    #: service principal (unconfirmed: the portal allows one job per template).
    one_job_per_template: bool = True
