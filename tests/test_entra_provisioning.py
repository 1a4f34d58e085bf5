from __future__ import annotations

import re
import socket
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from fake_elevate.elevate import FakeElevate
from fake_entra.applications import EnterpriseApplication
from fake_entra.dialects import Dialect
from fake_entra.directory import ObjectType, PortalError
from fake_entra.mappings import AttributeMapping
from fake_entra.provisioning import (
    ConnectionFailure,
    DefaultAccessRule,
    NotificationLevel,
    ProvisioningMode,
    ProvisioningScope,
    ProvisioningStatus,
)
from fake_entra.scim_client import ORIGIN_EXTENSION, OriginKind
from fake_entra.scoping import ScopingClause, ScopingFilter, ScopingOperator
from fake_entra.tenant import DirectoryRole, Tenant
from harness.transport import AsgiTransport

EMPTY_LIST = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
    "totalResults": 0,
    "Resources": [],
    "startIndex": 1,
    "itemsPerPage": 20,
}
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
LONG_TOKEN = "AQ" + "x" * 400  # longer than what is left beside a SAML certificate


class Endpoint:
    """A SCIM endpoint made of one handler, recording what Entra sent."""

    def __init__(self, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        self.requests: list[httpx.Request] = []

        def record(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return handler(request)

        self.transport = httpx.MockTransport(record)

    @classmethod
    def answering(cls, status: int = 200, body: Any = EMPTY_LIST, **kwargs: Any) -> Endpoint:
        if isinstance(body, str):
            return cls(lambda request: httpx.Response(status, text=body, **kwargs))
        return cls(lambda request: httpx.Response(status, json=body, **kwargs))

    @classmethod
    def raising(cls, error: type[httpx.TransportError]) -> Endpoint:
        def fail(request: httpx.Request) -> httpx.Response:
            raise error("no answer", request=request)

        return cls(fail)


def elevate(
    transport: httpx.BaseTransport | None = None, **tenant_options: Any
) -> EnterpriseApplication:
    tenant = Tenant(seed=1, scim_transport=transport, **tenant_options)
    tenant.sign_in(DirectoryRole.CLOUD_APPLICATION_ADMINISTRATOR)
    return tenant.add_from_gallery("LinkedIn Elevate")


def configured(
    transport: httpx.BaseTransport | None = None,
    tenant_url: str = "https://api.linkedin.com",
    token: str = "token-123",
    *,
    tested: bool = False,
    **tenant_options: Any,
) -> EnterpriseApplication:
    """Automatic mode and Admin Credentials; ``tested``: Test Connection passed too (against
    ``transport``, an answering endpoint by default), as Save needs."""
    if tested and transport is None:
        transport = Endpoint.answering().transport
    app = elevate(transport, **tenant_options)
    app.provisioning.set_provisioning_mode(ProvisioningMode.AUTOMATIC)
    app.provisioning.set_admin_credentials(tenant_url, token)
    if tested:
        result = app.provisioning.test_connection()
        assert result.succeeded, result.message
    return app


# -- the form ---------------------------------------------------------------


def test_a_new_configuration_starts_manual_and_off() -> None:
    config = elevate().provisioning
    assert config.mode is ProvisioningMode.MANUAL
    assert config.saved is None
    settings = config.saved_settings
    assert settings.scope is ProvisioningScope.SYNC_ASSIGNED
    assert settings.provisioning_status is ProvisioningStatus.OFF
    assert settings.accidental_deletion_threshold == 500
    assert settings.default_access_rule is DefaultAccessRule.NOT_EFFECTIVELY_ENTITLED
    assert config.requires_full_sync


def test_admin_credentials_need_automatic_mode() -> None:
    config = elevate().provisioning
    with pytest.raises(PortalError, match="only when Provisioning Mode is Automatic"):
        config.set_admin_credentials("https://api.linkedin.com", "t")
    with pytest.raises(PortalError, match="only when Provisioning Mode is Automatic"):
        config.set_notification_email("admin@contoso.com")
    with pytest.raises(PortalError, match="only when Provisioning Mode is Automatic"):
        config.test_connection()
    with pytest.raises(ValueError):
        config.set_provisioning_mode("Semi-automatic")


# -- Test Connection against scim2-server -----------------------------------


def test_test_connection_succeeds_against_scim2_server(scim2_server) -> None:
    probes: list[httpx.Request] = []
    real = httpx.HTTPTransport()

    class Spy(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            probes.append(request)
            return real.handle_request(request)

    # scim2-server stands for a non-gallery app: the generic template, userName matching.
    app = configured(
        Spy(), scim2_server.base_url, scim2_server.token, linkedin_connector_template=False
    )
    result = app.provisioning.test_connection()
    assert result.succeeded, result.message
    assert result.status_code == 200
    (probe,) = probes
    assert probe.method == "GET"
    assert probe.url.path == "/v2/Users"
    assert probe.headers["Authorization"] == f"Bearer {scim2_server.token}"
    match = re.fullmatch(r'userName eq "(.+)"', probe.url.params["filter"])
    assert match is not None and GUID.fullmatch(match.group(1))
    notification = app.provisioning.notifications[-1]
    assert notification.level is NotificationLevel.SUCCESS
    assert notification.title == "Testing connection to LinkedIn Elevate"
    assert "authorized to enable provisioning" in notification.message


def test_test_connection_with_a_bad_token_against_scim2_server(scim2_server) -> None:
    app = configured(None, scim2_server.base_url, "wrong-token")
    result = app.provisioning.test_connection()
    assert not result.succeeded
    assert result.failure is ConnectionFailure.UNAUTHORIZED
    assert result.status_code == 401
    notification = app.provisioning.notifications[-1]
    assert notification.level is NotificationLevel.ERROR
    assert "HTTP 401" in notification.message
    assert "invalid credentials" in notification.message


def test_test_connection_to_a_path_that_answers_404(scim2_server) -> None:
    # scim2-server serves SCIM under /v2 only; /nope/Users is a 404.
    app = configured(None, f"{scim2_server.root}/nope", scim2_server.token)
    result = app.provisioning.test_connection()
    assert result.failure is ConnectionFailure.NOT_FOUND
    assert "HTTP 404" in app.provisioning.notifications[-1].message


def test_test_connection_to_a_closed_port_is_unreachable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # The port is closed again: connecting is refused.
    result = configured(None, f"http://127.0.0.1:{port}/scim", "t").provisioning.test_connection()
    assert result.failure is ConnectionFailure.UNREACHABLE
    assert "Could not reach" in result.message


# -- Test Connection failure modes (MockTransport) --------------------------


@pytest.mark.parametrize(
    ("endpoint", "failure", "words"),
    [
        (Endpoint.answering(401, {"detail": "no"}), ConnectionFailure.UNAUTHORIZED, "HTTP 401"),
        (Endpoint.answering(403, {"detail": "no"}), ConnectionFailure.UNAUTHORIZED, "HTTP 403"),
        (Endpoint.answering(404, {"detail": "?"}), ConnectionFailure.NOT_FOUND, "HTTP 404"),
        (Endpoint.answering(500, {}), ConnectionFailure.UNEXPECTED_STATUS, "HTTP 500"),
        (Endpoint.answering(201, EMPTY_LIST), ConnectionFailure.UNEXPECTED_STATUS, "HTTP 201"),
        (Endpoint.raising(httpx.ReadTimeout), ConnectionFailure.TIMEOUT, "did not answer within"),
        (Endpoint.raising(httpx.ConnectTimeout), ConnectionFailure.TIMEOUT, "did not answer"),
        (Endpoint.raising(httpx.ConnectError), ConnectionFailure.UNREACHABLE, "Could not reach"),
        (
            Endpoint.answering(200, "<html>Login</html>"),
            ConnectionFailure.NOT_A_LIST_RESPONSE,
            "not a SCIM ListResponse",
        ),
        (
            Endpoint.answering(200, {"totalResults": 0}),
            ConnectionFailure.NOT_A_LIST_RESPONSE,
            "not a SCIM ListResponse",
        ),
        (
            Endpoint.answering(200, {**EMPTY_LIST, "totalResults": "0"}),
            ConnectionFailure.NOT_A_LIST_RESPONSE,
            "totalResults",
        ),
        (
            Endpoint.answering(200, {**EMPTY_LIST, "totalResults": 2, "Resources": [{}, {}]}),
            ConnectionFailure.FILTER_IGNORED,
            "returned 2 resource(s)",
        ),
    ],
)
def test_test_connection_names_the_cause(endpoint: Endpoint, failure, words: str) -> None:
    app = configured(endpoint.transport)
    result = app.provisioning.test_connection()
    assert not result.succeeded
    assert result.failure is failure
    assert result.request_url == "https://api.linkedin.com/Users"
    notification = app.provisioning.notifications[-1]
    assert notification.level is NotificationLevel.ERROR
    assert words in notification.message
    assert app.provisioning.last_connection_test == result


def test_test_connection_succeeds_on_an_empty_list_response() -> None:
    endpoint = Endpoint.answering(200, EMPTY_LIST)
    assert configured(endpoint.transport).provisioning.test_connection().succeeded


def test_test_connection_probes_the_saved_matching_attribute() -> None:
    endpoint = Endpoint.answering()
    config = configured(endpoint.transport).provisioning
    draft = config.open_attribute_mapping(ObjectType.USER)
    draft.edit_mapping("userName", matching_precedence=2)
    draft.edit_mapping("externalId", matching_precedence=1)
    config.save_attribute_mapping(draft)
    config.test_connection()
    config.test_connection()
    first, second = (r.url.params["filter"] for r in endpoint.requests)
    assert first.startswith('externalId eq "')
    # A new random GUID each time.
    assert first != second


def test_test_connection_says_the_probe_is_its_own() -> None:
    endpoint = Endpoint.answering()
    config = configured(endpoint.transport).provisioning
    config.test_connection()
    config.test_connection()
    first, second = (r.extensions[ORIGIN_EXTENSION] for r in endpoint.requests)
    # Tagged for recorders (the tag never reaches the wire), one run per click: the GUID.
    assert first.kind is second.kind is OriginKind.TEST_CONNECTION
    probed = [r.url.params["filter"] for r in endpoint.requests]
    # S1: the GUID goes on the matching attribute (the LinkedIn template's externalId).
    assert probed == [f'externalId eq "{first.run_id}"', f'externalId eq "{second.run_id}"']
    assert GUID.fullmatch(first.run_id) and first.run_id != second.run_id


def test_test_connection_needs_a_url_and_a_token() -> None:
    config = configured(Endpoint.answering().transport, tenant_url="", token="t").provisioning
    with pytest.raises(PortalError, match="Enter a Tenant URL"):
        config.test_connection()
    config.set_admin_credentials("https://api.linkedin.com", "  ")
    with pytest.raises(PortalError, match="Secret Token"):
        config.test_connection()


# -- Save -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tenant_url", "message"),
    [
        ("", "Enter a Tenant URL"),
        ("api.linkedin.com", "not an absolute URL"),
        ("ftp://api.linkedin.com", "not an absolute URL"),
        ("http://api.linkedin.com", "must use https"),
    ],
)
def test_save_validates_the_tenant_url(tenant_url: str, message: str) -> None:
    config = configured(tenant_url=tenant_url).provisioning
    with pytest.raises(PortalError, match=message):
        config.save()
    assert config.saved is None
    assert config.notifications[-1].level is NotificationLevel.ERROR
    assert message in config.notifications[-1].message


def test_plain_http_is_allowed_on_loopback_for_local_fakes() -> None:
    for url in ("http://127.0.0.1:8080/scim", "http://localhost/scim", "http://[::1]/scim"):
        assert (
            configured(tenant_url=url, tested=True).provisioning.save().credentials.tenant_url
            == url
        )


def test_save_needs_the_secret_token() -> None:
    with pytest.raises(PortalError, match="Secret Token"):
        configured(token="").provisioning.save()


@pytest.mark.parametrize("email", ["admin", "admin@", "admin@contoso", "a b@contoso.com"])
def test_save_validates_the_notification_email(email: str) -> None:
    config = configured().provisioning
    config.set_notification_email(email)
    with pytest.raises(PortalError, match="not a valid email address"):
        config.save()


def test_several_notification_emails_and_the_failure_checkbox() -> None:
    config = configured(tested=True).provisioning
    config.set_notification_email("", send_email_on_failure=True)
    with pytest.raises(PortalError, match="Enter a Notification Email"):
        config.save()
    config.set_notification_email("admin@contoso.com; ops@contoso.com", send_email_on_failure=True)
    saved = config.save()
    assert saved.notification_email == "admin@contoso.com; ops@contoso.com"
    assert saved.send_email_on_failure


@pytest.mark.parametrize("threshold", [0, -5, True])
def test_save_validates_the_deletion_threshold(threshold: Any) -> None:
    config = configured().provisioning
    config.set_accidental_deletion_prevention(True, threshold)
    with pytest.raises(PortalError, match="deletion threshold"):
        config.save()


def test_status_on_needs_automatic_mode() -> None:
    config = elevate().provisioning
    config.set_provisioning_status(ProvisioningStatus.ON)
    with pytest.raises(PortalError, match="only when Provisioning Mode is Automatic"):
        config.save()
    config.set_provisioning_status("Off")
    assert config.save().mode is ProvisioningMode.MANUAL


def test_save_keeps_a_snapshot_that_the_form_cannot_change() -> None:
    app = configured(tenant_url="https://api.linkedin.com/scim?aadOptscim062020", tested=True)
    config = app.provisioning
    config.set_notification_email("admin@contoso.com")
    config.set_scope(ProvisioningScope.SYNC_ALL)
    config.set_provisioning_status(ProvisioningStatus.ON)
    config.set_skip_out_of_scope_deletions(True)
    saved = config.save()
    assert saved.is_running
    assert saved.patch_dialect is Dialect.AAD_OPT_SCIM_062020
    assert config.patch_dialect is Dialect.AAD_OPT_SCIM_062020
    assert saved.settings.skip_out_of_scope_deletions
    assert saved.saved_at == config.notifications[-1].at
    assert config.notifications[-1].title == "Saved provisioning settings for LinkedIn Elevate"
    config.set_admin_credentials("https://other.example.com", "other")
    config.set_provisioning_status(ProvisioningStatus.OFF)
    assert saved.credentials.tenant_url == "https://api.linkedin.com/scim?aadOptscim062020"
    assert config.saved_settings.provisioning_status is ProvisioningStatus.ON
    config.discard()
    assert config.admin_credentials.tenant_url == "https://api.linkedin.com/scim?aadOptscim062020"
    assert config.settings.provisioning_status is ProvisioningStatus.ON


def test_discard_before_any_save_resets_the_form() -> None:
    config = configured().provisioning
    config.discard()
    assert config.mode is ProvisioningMode.MANUAL
    assert config.admin_credentials.tenant_url == ""


def test_switching_sync_all_back_to_assigned_asks_for_a_restart() -> None:
    config = configured(tested=True).provisioning
    config.set_scope(ProvisioningScope.SYNC_ALL)
    config.save()
    config.set_scope(ProvisioningScope.SYNC_ASSIGNED)
    config.save()
    assert config.notifications[-1].level is NotificationLevel.INFORMATION
    assert "Restart provisioning" in config.notifications[-1].message


def test_the_engine_gets_a_client_for_the_saved_credentials_only() -> None:
    endpoint = Endpoint.answering()
    config = configured(
        endpoint.transport, tenant_url="https://host/scim?aadOptscim062020", tested=True
    ).provisioning
    with pytest.raises(PortalError, match="not configured"):
        config.scim_client()
    config.save()
    with config.scim_client() as client:
        assert client.base_url == "https://host/scim"
        client.get("/Users")
    assert endpoint.requests[0].headers["Authorization"] == "Bearer token-123"


# -- the credential storage limit (S17) -------------------------------------


def test_sso_leaves_too_little_credential_storage_but_test_connection_passes() -> None:
    endpoint = Endpoint.answering()
    app = configured(endpoint.transport, token=LONG_TOKEN)
    app.configure_saml_single_sign_on(
        "https://www.linkedin.com/checkpoint/enterprise/sso",
        "https://www.linkedin.com/checkpoint/enterprise/saml",
    )
    config = app.provisioning
    config.set_notification_email("admin@contoso.com")
    assert config.test_connection().succeeded
    with pytest.raises(PortalError) as refused:
        config.save()
    message = refused.value.notification
    assert "1024 bytes" in message
    assert f"need {config.credential_bytes()} bytes" in message
    assert "only 324 bytes" in message
    assert '"LinkedIn Elevate (Provisioning)"' in message
    assert config.saved is None


def test_the_same_credentials_fit_an_instance_without_sso() -> None:
    app = configured(Endpoint.answering().transport, token=LONG_TOKEN, tested=True)
    app.provisioning.set_notification_email("admin@contoso.com")
    assert app.provisioning.save().credentials.secret_token == LONG_TOKEN


def test_removing_the_notification_email_can_make_it_fit() -> None:
    # S17 workaround 2: remove optional fields such as the Notification Email.
    app = configured(token="t" * 290, tested=True)
    app.configure_saml_single_sign_on("urn:linkedin", "https://www.linkedin.com/saml")
    config = app.provisioning
    config.set_notification_email("provisioning-alerts@contoso.com", send_email_on_failure=False)
    with pytest.raises(PortalError, match="credential storage"):
        config.save()
    config.set_notification_email("", send_email_on_failure=False)
    config.save()


# -- attribute mappings -----------------------------------------------------


def test_saving_mappings_forces_a_full_sync() -> None:
    # roles: an attribute of the generic template.
    config = configured(linkedin_connector_template=False).provisioning
    config.clear_full_sync_request()
    assert not config.requires_full_sync
    version = config.mappings_version
    draft = config.open_attribute_mapping("User")
    draft.add_mapping(AttributeMapping.constant("Employee", "roles"))
    with pytest.raises(PortalError, match="No mapping targets roles"):
        config.user_mapping.mapping_for("roles")  # not saved yet
    config.save_attribute_mapping(draft)
    assert config.mappings_version == version + 1
    assert config.requires_full_sync
    assert config.user_mapping.mapping_for("roles").constant_value == "Employee"
    # The saved mapping is a copy: editing the draft further changes nothing.
    draft.remove_mapping("roles")
    assert config.user_mapping.mapping_for("roles")


def test_saving_a_scoping_filter_forces_a_full_sync_too() -> None:
    config = configured().provisioning
    config.clear_full_sync_request()
    draft = config.open_attribute_mapping(ObjectType.GROUP)
    draft.add_scoping_filter(
        ScopingFilter("Sales", [ScopingClause("displayName", ScopingOperator.INCLUDES, "Sales")])
    )
    config.save_attribute_mapping(draft)
    assert config.requires_full_sync
    assert config.group_mapping.scoping_filters[0].title == "Sales"


def test_an_invalid_mapping_is_not_saved() -> None:
    config = configured().provisioning
    config.clear_full_sync_request()
    version = config.mappings_version
    draft = config.open_attribute_mapping(ObjectType.USER)
    draft.enabled = False
    with pytest.raises(PortalError, match="can't be disabled"):
        config.save_attribute_mapping(draft)
    assert config.mappings_version == version
    assert not config.requires_full_sync
    assert config.user_mapping.enabled
    assert config.notifications[-1].level is NotificationLevel.ERROR


def test_the_group_mapping_can_be_disabled() -> None:
    config = configured().provisioning
    draft = config.open_attribute_mapping(ObjectType.GROUP)
    draft.enabled = False
    config.save_attribute_mapping(draft)
    assert not config.group_mapping.enabled


# -- roles ------------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    [
        lambda c: c.set_provisioning_mode("Automatic"),
        lambda c: c.set_admin_credentials("https://api.linkedin.com", "t"),
        lambda c: c.test_connection(),
        lambda c: c.set_notification_email("a@contoso.com"),
        lambda c: c.save(),
        lambda c: c.set_scope(ProvisioningScope.SYNC_ALL),
        lambda c: c.set_provisioning_status("On"),
        lambda c: c.save_attribute_mapping(c.open_attribute_mapping("User")),
    ],
)
def test_a_weaker_role_cannot_configure_provisioning(action) -> None:
    tenant = Tenant(seed=1, scim_transport=Endpoint.answering().transport)
    tenant.sign_in(DirectoryRole.CLOUD_APPLICATION_ADMINISTRATOR)
    app = tenant.add_from_gallery("LinkedIn Elevate")
    app.provisioning.set_provisioning_mode("Automatic")
    app.provisioning.set_admin_credentials("https://api.linkedin.com", "t")
    tenant.sign_in(DirectoryRole.USER_ADMINISTRATOR)
    with pytest.raises(PortalError, match="at least the Cloud Application Administrator role"):
        action(app.provisioning)


# -- Test Connection against Fake Elevate (in-process, through the same httpx path) --------


def _fake_elevate(*faults: str) -> tuple[AsgiTransport, str]:
    fake = FakeElevate(seed=3)
    _config, token = fake.quick_setup()
    return AsgiTransport(fake.asgi_app(faults=faults)), token


def test_test_connection_succeeds_against_fake_elevate_at_the_tutorial_url() -> None:
    transport, token = _fake_elevate()
    app = configured(transport, "https://api.linkedin.com", token)
    result = app.provisioning.test_connection()
    assert result.succeeded, result.message
    assert app.provisioning.notifications[-1].level is NotificationLevel.SUCCESS


def test_test_connection_with_a_bad_token_against_fake_elevate() -> None:
    transport, _token = _fake_elevate()
    result = configured(
        transport, "https://api.linkedin.com", "not-the-token"
    ).provisioning.test_connection()
    assert result.failure is ConnectionFailure.UNAUTHORIZED and result.status_code == 401


@pytest.mark.parametrize(
    ("tenant_url", "faults"),
    [("https://api.linkedin.com/nope", ()), ("https://api.linkedin.com", ("empty-search-404",))],
    ids=["unknown-path", "empty-search-404-fault"],
)
def test_test_connection_fails_when_fake_elevate_answers_404(
    tenant_url: str, faults: tuple[str, ...]
) -> None:
    transport, token = _fake_elevate(*faults)
    app = configured(transport, tenant_url, token)
    result = app.provisioning.test_connection()
    assert result.failure is ConnectionFailure.NOT_FOUND and result.status_code == 404
    assert "HTTP 404" in app.provisioning.notifications[-1].message
