"""The Provisioning page's known issues (PortalKnownIssues) and Test Connection's error codes."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest

from fake_entra.applications import EnterpriseApplication
from fake_entra.directory import PortalError
from fake_entra.provisioning import (
    CREDENTIAL_VALIDATION_FAILURE,
    CREDENTIAL_VALIDATION_UNAVAILABLE,
    NotificationLevel,
    PortalKnownIssues,
    ProvisioningMode,
    ProvisioningStatus,
)
from fake_entra.tenant import DirectoryRole, Tenant

EMPTY_LIST = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
    "totalResults": 0,
    "Resources": [],
}


def _app(handler: httpx.MockTransport, **issues: Any) -> EnterpriseApplication:
    tenant = Tenant(seed=1, scim_transport=handler, known_issues=PortalKnownIssues(**issues))
    tenant.sign_in(DirectoryRole.CLOUD_APPLICATION_ADMINISTRATOR)
    app = tenant.add_from_gallery("LinkedIn Elevate")
    app.provisioning.set_provisioning_mode(ProvisioningMode.AUTOMATIC)
    app.provisioning.set_admin_credentials("https://api.linkedin.com", "token-123")
    return app


def _answering(status: int, body: object = EMPTY_LIST) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(status, json=body))


def test_manual_mode_is_locked_once_automatic_is_saved() -> None:
    config = _app(_answering(200)).provisioning
    config.set_provisioning_mode(ProvisioningMode.MANUAL)  # not saved yet: allowed
    config.set_provisioning_mode(ProvisioningMode.AUTOMATIC)
    assert config.test_connection().succeeded
    config.save()
    with pytest.raises(PortalError, match="can't be changed back to Manual"):
        config.set_provisioning_mode(ProvisioningMode.MANUAL)
    # "you can turn off provisioning through the UI" instead.
    config.set_provisioning_status(ProvisioningStatus.OFF)
    assert config.save().mode is ProvisioningMode.AUTOMATIC


def test_manual_mode_can_come_back_when_the_known_issue_is_off() -> None:
    config = _app(_answering(200), manual_mode_locked_once_saved=False).provisioning
    assert config.test_connection().succeeded
    config.save()
    config.set_provisioning_mode(ProvisioningMode.MANUAL)
    assert config.save().mode is ProvisioningMode.MANUAL


def test_save_needs_a_passing_test_connection_of_the_same_credentials() -> None:
    config = _app(_answering(401, {}), save_requires_test_connection=True).provisioning
    with pytest.raises(PortalError, match="Click Test Connection before saving"):
        config.save()
    assert not config.test_connection().succeeded
    with pytest.raises(PortalError, match=CREDENTIAL_VALIDATION_FAILURE):
        config.save()
    assert config.saved is None
    config.transport = _answering(200)
    assert config.test_connection().succeeded
    config.set_admin_credentials("https://api.linkedin.com", "another-token")
    with pytest.raises(PortalError, match="Click Test Connection"):
        config.save()
    config.set_admin_credentials("https://api.linkedin.com", "token-123")
    config.save()
    # The saved credentials need no new test to change other settings.
    config.set_provisioning_status(ProvisioningStatus.ON)
    assert config.save().is_running


def test_save_through_graph_needs_no_test_connection() -> None:
    config = _app(_answering(200), save_requires_test_connection=True).provisioning
    assert config.save(portal=False).mode is ProvisioningMode.AUTOMATIC


def test_refused_credentials_show_the_credential_validation_failure_code() -> None:
    config = _app(_answering(401, {"detail": "bad token"})).provisioning
    result = config.test_connection()
    assert result.error_code == CREDENTIAL_VALIDATION_FAILURE
    assert "Response Status Code: Unauthorized" in result.message
    assert "Resource: https://api.linkedin.com/Users?filter=" in result.message
    notification = config.notifications[-1]
    assert notification.level is NotificationLevel.ERROR
    assert notification.message.startswith(
        "Failed to test connection to target application. Error code: "
        f"{CREDENTIAL_VALIDATION_FAILURE}. Error message: "
    )


def test_no_answer_shows_credential_validation_unavailable() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route", request=request)

    config = _app(httpx.MockTransport(fail)).provisioning
    result = config.test_connection()
    assert result.error_code == CREDENTIAL_VALIDATION_UNAVAILABLE
    assert f"Error code: {CREDENTIAL_VALIDATION_UNAVAILABLE}." in config.notifications[-1].message


def test_a_passing_test_remembers_the_credentials_it_tested() -> None:
    config = _app(_answering(200)).provisioning
    result = config.test_connection()
    assert result.succeeded and result.error_code is None
    assert result.credentials == dataclasses.replace(config.admin_credentials)


def test_save_needs_a_passing_test_connection_by_default() -> None:
    # Issue 19: a vendor-observed behaviour defaults to what vendors observe
    # (bitwarden/server#7309).
    assert PortalKnownIssues().save_requires_test_connection
    tenant = Tenant(seed=1, scim_transport=_answering(200))
    tenant.sign_in(DirectoryRole.CLOUD_APPLICATION_ADMINISTRATOR)
    config = tenant.add_from_gallery("LinkedIn Elevate").provisioning
    config.set_provisioning_mode(ProvisioningMode.AUTOMATIC)
    config.set_admin_credentials("https://api.linkedin.com", "token-123")
    with pytest.raises(PortalError, match="Click Test Connection before saving"):
        config.save()
    assert config.test_connection().succeeded
    assert config.save().mode is ProvisioningMode.AUTOMATIC


def test_a_failure_other_than_401_shows_the_unexpected_answer_code_setting() -> None:
    # Broadcom KB 430118 shows CredentialValidationFailure for a 401; for other answers the
    # code is a setting (probable: the same code).
    default = _app(_answering(500, {"detail": "boom"})).provisioning
    assert default.test_connection().error_code == CREDENTIAL_VALIDATION_FAILURE
    config = _app(_answering(404, {}), unexpected_answer_code=None).provisioning
    result = config.test_connection()
    assert result.error_code is None and not result.succeeded
    message = config.notifications[-1].message
    assert message.startswith("Failed to test connection to target application. Error message: ")
    assert "Error code" not in message
    refused = _app(_answering(401, {}), unexpected_answer_code=None).provisioning
    assert refused.test_connection().error_code == CREDENTIAL_VALIDATION_FAILURE
