"""Fake Entra's Graph face, in-process: every endpoint's documented shape, status and errors.

Each response is checked against the JSON Schema written from its Graph reference page
(harness/schemas/graph/); each bad input gets the OData error and changes nothing.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from graph_support import (
    ADMIN,
    ELEVATE,
    TOKEN,
    GraphWorld,
    checked,
    graph_error,
    graph_world,
    listed,
)

from fake_entra.applications import DEFAULT_ACCESS_ROLE_ID
from fake_entra.graph import GraphSettings
from fake_entra.tenant import DirectoryRole


@pytest.fixture
def world() -> Iterator[GraphWorld]:
    yield from graph_world()


# --- authentication and errors ------------------------------------------------------------


def test_a_call_without_a_bearer_token_is_401_in_the_graph_error_shape(world: GraphWorld) -> None:
    bare = httpx.Client(transport=world.client._transport, base_url=str(world.client.base_url))
    message = graph_error(bare.get("/users"), 401, "InvalidAuthenticationToken")
    assert message == "Access token is empty."
    assert bare.get("/users").headers["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_token_is_401_and_creates_nothing(world: GraphWorld) -> None:
    response = world.client.post(
        "/users",
        json={"displayName": "X"},
        headers={"Authorization": "Bearer not-the-token"},
    )
    graph_error(response, 401, "InvalidAuthenticationToken")
    assert world.tenant.directory.user_count == 0


def test_without_a_configured_token_any_bearer_is_accepted() -> None:
    for world in graph_world(settings=GraphSettings(token=None)):
        response = world.client.get("/users", headers={"Authorization": "Bearer anything"})
        assert response.status_code == 200


def test_allow_anonymous_accepts_no_header_but_still_refuses_a_wrong_token() -> None:
    for world in graph_world(settings=GraphSettings(token=TOKEN, allow_anonymous=True)):
        bare = httpx.Client(transport=world.client._transport, base_url=str(world.client.base_url))
        assert bare.get("/users").status_code == 200
        wrong = bare.get("/users", headers={"Authorization": "Bearer not-the-token"})
        graph_error(wrong, 401, "InvalidAuthenticationToken")
        graph_error(bare.get("/users", headers={"Authorization": "Basic x"}), 401)


def _instantiate(world: GraphWorld) -> httpx.Response:
    templates = world.client.get(
        "/applicationTemplates", params={"$filter": f"displayName eq '{ELEVATE}'"}
    ).json()["value"]
    return world.client.post(
        f"/applicationTemplates/{templates[0]['id']}/instantiate", json={"displayName": ELEVATE}
    )


def test_graph_calls_act_as_the_configured_caller_and_leave_the_portal_session_alone(
    world: GraphWorld,
) -> None:
    # Serving Graph signs no one in to the portal.
    assert world.tenant.session is None
    body = _instantiate(world).json()
    assert world.tenant.session is None
    world.ids["sp"] = body["servicePrincipal"]["id"]
    # A portal admin without an application role: Graph still acts as its own caller.
    world.tenant.sign_in(DirectoryRole.HELPDESK_ADMINISTRATOR, "helpdesk@contoso.com")
    created = world.client.post(
        f"{world.sp}/synchronization/jobs", json={"templateId": "linkedInElevate"}
    )
    assert created.status_code == 201
    session = world.tenant.session
    assert session is not None and session.role is DirectoryRole.HELPDESK_ADMINISTRATOR
    assert session.user_principal_name == "helpdesk@contoso.com"


@pytest.mark.parametrize(
    ("settings", "portal_role"),
    [
        (GraphSettings(token=TOKEN, caller_role=DirectoryRole.HELPDESK_ADMINISTRATOR), None),
        # caller_role None: the portal's admin acts, here one without an application role.
        (GraphSettings(token=TOKEN, caller_role=None), DirectoryRole.USER_ADMINISTRATOR),
        (GraphSettings(token=TOKEN, caller_role=None), None),
    ],
)
def test_a_caller_without_an_application_role_is_403_and_changes_nothing(
    settings: GraphSettings, portal_role: DirectoryRole | None
) -> None:
    for world in graph_world(settings=settings):
        if portal_role is not None:
            world.tenant.sign_in(portal_role)
        message = graph_error(_instantiate(world), 403, "Authorization_RequestDenied")
        assert message.startswith("Insufficient privileges to complete the operation.")
        assert list(world.tenant.enterprise_applications) == []


def test_with_caller_role_none_the_portal_admin_acts() -> None:
    for world in graph_world(settings=GraphSettings(token=TOKEN, caller_role=None)):
        world.tenant.sign_in(DirectoryRole.GLOBAL_ADMINISTRATOR, "root@contoso.com")
        assert _instantiate(world).status_code == 201


def test_the_inner_error_carries_the_virtual_date_and_echoes_the_client_request_id(
    world: GraphWorld,
) -> None:
    response = world.client.get(
        "/users/" + "0" * 8 + "-0000-4000-8000-" + "0" * 12,
        headers={"client-request-id": "abc-123"},
    )
    graph_error(response, 404, "Request_ResourceNotFound")
    inner = response.json()["error"]["innerError"]
    assert inner["client-request-id"] == "abc-123"
    assert inner["date"] == "2026-01-05T09:00:00.000Z"
    assert response.headers["request-id"] == inner["request-id"]


def test_an_unknown_segment_and_a_wrong_method_get_graph_errors(world: GraphWorld) -> None:
    assert "segment 'nothing'" in graph_error(world.client.get("/nothing"), 400, "BadRequest")
    graph_error(world.client.put("/users"), 405)


def test_a_malformed_body_is_400(world: GraphWorld) -> None:
    response = world.client.post(
        "/users", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    graph_error(response, 400, "Request_BadRequest")
    graph_error(world.client.post("/users", json=[1, 2]), 400)


def test_beta_is_an_alias_of_v1(world: GraphWorld) -> None:
    response = world.client.get("https://graph.microsoft.com/beta/applicationTemplates")
    body = response.json()
    assert response.status_code == 200
    assert (
        body["@odata.context"] == "https://graph.microsoft.com/beta/$metadata#applicationTemplates"
    )


# --- directory ----------------------------------------------------------------------------


def test_users_are_created_read_filtered_updated_and_soft_deleted(world: GraphWorld) -> None:
    britta = world.add_user("Britta Simon", "britta.simon@contoso.com")
    world.add_user("Kai Li", "kai.li@contoso.com")
    got = checked(world.client.get(f"/users/{britta}"), "user")
    assert got["userPrincipalName"] == "britta.simon@contoso.com"
    assert "accountEnabled" not in got  # not in the default property set
    found = listed(
        world.client.get(
            "/users",
            params={
                "$filter": "startswith(displayName,'brit')",
                "$select": "id,displayName,accountEnabled",
            },
        ),
        "user",
    )
    assert found == [{"id": britta, "displayName": "Britta Simon", "accountEnabled": True}]
    assert (
        world.client.patch(
            f"/users/{britta}", json={"accountEnabled": False, "jobTitle": "Sales"}
        ).status_code
        == 204
    )
    assert world.tenant.directory.get_user(britta).account_enabled is False
    assert world.client.delete(f"/users/{britta}").status_code == 204
    assert world.tenant.directory.get_user(britta).is_soft_deleted
    graph_error(world.client.get(f"/users/{britta}"), 404, "Request_ResourceNotFound")


@pytest.mark.parametrize(
    "body",
    [
        {
            "displayName": "No UPN",
            "mailNickname": "x",
            "accountEnabled": True,
            "passwordProfile": {"password": "p"},
        },
        {
            "displayName": "No password",
            "mailNickname": "x",
            "accountEnabled": True,
            "userPrincipalName": "x@contoso.com",
        },
        {
            "displayName": "Bad domain",
            "mailNickname": "x",
            "accountEnabled": True,
            "userPrincipalName": "x@example.org",
            "passwordProfile": {"password": "p"},
        },
        {
            "displayName": "Unknown",
            "mailNickname": "x",
            "accountEnabled": True,
            "userPrincipalName": "x@contoso.com",
            "passwordProfile": {"password": "p"},
            "shoeSize": 44,
        },
    ],
)
def test_an_invalid_user_is_400_and_creates_nothing(
    world: GraphWorld, body: dict[str, object]
) -> None:
    graph_error(world.client.post("/users", json=body), 400)
    assert world.tenant.directory.user_count == 0


def test_a_body_over_the_size_limit_is_413_and_creates_nothing() -> None:
    for world in graph_world(settings=GraphSettings(token=TOKEN, max_request_bytes=1000)):
        body = {
            "accountEnabled": True,
            "displayName": "x" * 2000,
            "mailNickname": "x",
            "userPrincipalName": "x@contoso.com",
            "passwordProfile": {"password": "x-Passw0rd!"},
        }
        graph_error(world.client.post("/users", json=body), 413, "RequestEntityTooLarge")
        # Without a Content-Length the body is read only up to the limit, then refused.
        chunks = iter([b'{"displayName": "', b"x" * 600, b"x" * 600, b'"}'])
        response = world.client.post(
            "/users", content=chunks, headers={"Content-Type": "application/json"}
        )
        graph_error(response, 413, "RequestEntityTooLarge")
        assert world.tenant.directory.user_count == 0
        body["displayName"] = "x"
        checked(world.client.post("/users", json=body), "user", 201)


def test_users_page_with_top_and_next_link(world: GraphWorld) -> None:
    for index in range(5):
        world.add_user(f"User {index}", f"user{index}@contoso.com")
    seen: list[str] = []
    url: str | None = "/users?$top=2"
    pages = 0
    while url is not None:
        body = world.client.get(url).json()
        seen.extend(user["displayName"] for user in body["value"])
        url = body.get("@odata.nextLink")
        pages += 1
    assert pages == 3
    assert seen == [f"User {i}" for i in range(5)]
    graph_error(world.client.get("/users", params={"$top": "0"}), 400)
    graph_error(world.client.get("/users", params={"$top": "2", "$skiptoken": "garbage"}), 400)


def test_an_unsupported_filter_is_400(world: GraphWorld) -> None:
    graph_error(
        world.client.get("/users", params={"$filter": "shoeSize eq 1"}),
        400,
        "Request_UnsupportedQuery",
    )
    graph_error(
        world.client.get("/users", params={"$filter": "displayName eq"}),
        400,
        "Request_UnsupportedQuery",
    )


def test_groups_and_members_ref(world: GraphWorld) -> None:
    britta = world.add_user("Britta Simon", "britta.simon@contoso.com")
    group = checked(
        world.client.post(
            "/groups",
            json={
                "displayName": "Sales",
                "mailEnabled": False,
                "mailNickname": "sales",
                "securityEnabled": True,
            },
        ),
        "group",
        201,
    )
    ref = {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{britta}"}
    members = f"/groups/{group['id']}/members"
    assert world.client.post(f"{members}/$ref", json=ref).status_code == 204
    assert "already exist" in graph_error(world.client.post(f"{members}/$ref", json=ref), 400)
    missing = {
        "@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/"
        "11111111-1111-4111-8111-111111111111"
    }
    graph_error(world.client.post(f"{members}/$ref", json=missing), 404)
    listed_members = listed(world.client.get(members), "user")
    assert [m["id"] for m in listed_members] == [britta]
    assert world.client.delete(f"{members}/{britta}/$ref").status_code == 204
    graph_error(world.client.delete(f"{members}/{britta}/$ref"), 404)
    assert world.tenant.directory.get_group(group["id"]).members == set()


def test_patch_group_renames_and_binds_members(world: GraphWorld) -> None:
    britta = world.add_user("Britta Simon", "britta.simon@contoso.com")
    kai = world.add_user("Kai Li", "kai.li@contoso.com")
    group = checked(
        world.client.post(
            "/groups",
            json={
                "displayName": "Sales",
                "mailEnabled": False,
                "mailNickname": "sales",
                "securityEnabled": True,
            },
        ),
        "group",
        201,
    )
    bind = [f"https://graph.microsoft.com/v1.0/directoryObjects/{i}" for i in (britta, kai)]
    path = f"/groups/{group['id']}"
    response = world.client.patch(
        path, json={"displayName": "Sales EMEA", "members@odata.bind": bind}
    )
    assert response.status_code == 204
    stored = world.tenant.directory.get_group(group["id"])
    assert stored.display_name == "Sales EMEA" and stored.members == {britta, kai}
    # A reference that is already a member: 400, and the rename in the same call is not made.
    graph_error(
        world.client.patch(path, json={"displayName": "Other", "members@odata.bind": bind[:1]}), 400
    )
    graph_error(world.client.patch(path, json={"description": "x"}), 400)
    assert world.tenant.directory.get_group(group["id"]).display_name == "Sales EMEA"


def test_a_microsoft_365_group_is_refused(world: GraphWorld) -> None:
    response = world.client.post(
        "/groups",
        json={
            "displayName": "M365",
            "mailEnabled": True,
            "mailNickname": "m",
            "securityEnabled": False,
            "groupTypes": ["Unified"],
        },
    )
    graph_error(response, 400)
    assert world.tenant.directory.group_count == 0


# --- templates, instantiate, service principals, assignments -------------------------------


def test_templates_filter_by_display_name(world: GraphWorld) -> None:
    every = listed(world.client.get("/applicationTemplates"), "application-template")
    assert {t["displayName"] for t in every} >= {"LinkedIn Elevate", "LinkedIn Learning"}
    contains = listed(
        world.client.get(
            "/applicationTemplates", params={"$filter": "contains(displayName,'Sales')"}
        ),
        "application-template",
    )
    assert [t["displayName"] for t in contains] == ["LinkedIn Sales Navigator"]
    # The how-to's category filter [G applicationtemplate-list.md].
    by_category = listed(
        world.client.get(
            "/applicationTemplates",
            params={"$filter": "categories/any(c:contains(c,'collaboration'))"},
        ),
        "application-template",
    )
    assert len(by_category) == len(every)


def test_templates_take_orderby_top_and_skip(world: GraphWorld) -> None:
    # [G applicationtemplate-list.md]: "$orderby, $top, and $skip ... in any GET request".
    names = sorted(
        t["displayName"] for t in world.client.get("/applicationTemplates").json()["value"]
    )
    descending = listed(
        world.client.get("/applicationTemplates", params={"$orderby": "displayName desc"}),
        "application-template",
    )
    assert [t["displayName"] for t in descending] == names[::-1]
    window = listed(
        world.client.get(
            "/applicationTemplates",
            params={"$orderby": "displayName", "$skip": "1", "$top": "1"},
        ),
        "application-template",
    )
    assert [t["displayName"] for t in window] == names[1:2]
    graph_error(
        world.client.get("/applicationTemplates", params={"$orderby": "logoUrl"}),
        400,
        "Request_UnsupportedQuery",
    )


def test_sync_templates_are_listed_from_the_application_too(world: GraphWorld) -> None:
    body = world.instantiate()
    application_id = body["application"]["id"]
    # [G synchronization-synchronization-list-templates.md]: GET /applications/{id}/...
    response = world.client.get(f"/applications/{application_id}/synchronization/templates")
    templates = listed(response, "synchronization-template")
    assert [t["id"] for t in templates] == ["linkedInElevate"]
    assert response.json()["@odata.context"].endswith(
        f"$metadata#applications('{application_id}')/synchronization/templates"
    )
    # A service principal's id is not an application's id.
    graph_error(
        world.client.get(f"/applications/{world.ids['sp']}/synchronization/templates"),
        404,
        "Request_ResourceNotFound",
    )


def test_instantiate_creates_the_application_and_its_service_principal(world: GraphWorld) -> None:
    body = world.instantiate()
    sp = body["servicePrincipal"]
    assert body["application"]["appId"] == sp["appId"]
    assert [r["value"] for r in sp["appRoles"]] == ["User"]
    checked(world.client.get(world.sp), "service-principal")
    by_app_id = checked(
        world.client.get(f"/servicePrincipals(appId='{sp['appId']}')"), "service-principal"
    )
    assert by_app_id["id"] == sp["id"]
    found = listed(
        world.client.get(
            "/servicePrincipals",
            params={"$filter": f"displayName eq '{ELEVATE}'", "$select": "id,appId,displayName"},
        ),
        "service-principal",
    )
    assert found == [{"id": sp["id"], "appId": sp["appId"], "displayName": ELEVATE}]


def test_instantiating_an_unknown_template_is_404_and_adds_nothing(world: GraphWorld) -> None:
    response = world.client.post(
        "/applicationTemplates/11111111-1111-4111-8111-111111111111/instantiate",
        json={"displayName": "X"},
    )
    graph_error(response, 404)
    assert len(world.tenant.enterprise_applications) == 0


def test_assignments_with_the_user_role_and_default_access(world: GraphWorld) -> None:
    world.instantiate()
    world.add_user("Britta Simon", "britta.simon@contoso.com")
    world.add_user("Kai Li", "kai.li@contoso.com")
    user_role = checked(
        world.assign("Britta Simon", world.ids["user_role"]), "app-role-assignment", 201
    )
    default = checked(world.assign("Kai Li", DEFAULT_ACCESS_ROLE_ID), "app-role-assignment", 201)
    assert default["appRoleId"] == DEFAULT_ACCESS_ROLE_ID
    assert len(user_role["id"]) == 43
    listed_assignments = listed(
        world.client.get(f"{world.sp}/appRoleAssignedTo"), "app-role-assignment"
    )
    assert {a["principalDisplayName"] for a in listed_assignments} == {"Britta Simon", "Kai Li"}
    graph_error(world.assign("Britta Simon", world.ids["user_role"]), 400)
    assert world.client.delete(f"{world.sp}/appRoleAssignedTo/{default['id']}").status_code == 204
    graph_error(world.client.delete(f"{world.sp}/appRoleAssignedTo/{default['id']}"), 404)
    app = world.tenant.enterprise_applications.get(world.ids["sp"])
    assert [a.principal_display_name for a in app.assignments()] == ["Britta Simon"]


def test_an_assignment_with_an_unknown_role_or_principal_changes_nothing(world: GraphWorld) -> None:
    world.instantiate()
    world.add_user("Britta Simon", "britta.simon@contoso.com")
    graph_error(world.assign("Britta Simon", "22222222-2222-4222-8222-222222222222"), 400)
    world.ids["Ghost"] = "33333333-3333-4333-8333-333333333333"
    graph_error(world.assign("Ghost", world.ids["user_role"]), 404)
    app = world.tenant.enterprise_applications.get(world.ids["sp"])
    assert app.assignments() == []


# --- jobs, secrets, Test Connection ----------------------------------------------------------


def test_a_new_job_is_disabled_and_not_configured(world: GraphWorld) -> None:
    world.instantiate()
    job = world.create_job()
    assert job["schedule"] == {
        "expiration": None,
        "interval": "P10675199DT2H48M5.4775807S",
        "state": "Disabled",
    }
    assert job["status"]["code"] == "NotConfigured"
    jobs = listed(world.client.get(f"{world.sp}/synchronization/jobs"), "synchronization-job")
    assert [j["id"] for j in jobs] == [job["id"]]
    graph_error(
        world.client.post(f"{world.sp}/synchronization/jobs", json={"templateId": "x"}), 400
    )
    graph_error(world.client.post(f"{world.sp}/synchronization/jobs", json={}), 400)
    graph_error(world.client.get(f"{world.sp}/synchronization/jobs/nope"), 404)
    assert (
        len(listed(world.client.get(f"{world.sp}/synchronization/jobs"), "synchronization-job"))
        == 1
    )


def test_validate_credentials_is_test_connection(world: GraphWorld) -> None:
    world.instantiate()
    world.create_job()
    good = world.client.post(
        f"{world.job}/validateCredentials",
        json={"useSavedCredentials": False, "credentials": world.credentials()},
    )
    assert good.status_code == 204
    bad = world.client.post(
        f"{world.job}/validateCredentials",
        json={"credentials": world.credentials("wrong-token-value")},
    )
    assert "invalid credentials" in graph_error(bad, 400, "CredentialValidationFailed")
    # Testing saves nothing.
    app = world.tenant.enterprise_applications.get(world.ids["sp"])
    assert app.provisioning.saved is None
    graph_error(
        world.client.post(f"{world.job}/validateCredentials", json={"useSavedCredentials": True}),
        400,
    )


def test_secrets_save_with_the_portal_validations(world: GraphWorld) -> None:
    world.instantiate()
    world.create_job()
    assert world.save_secrets().status_code == 204
    app = world.tenant.enterprise_applications.get(world.ids["sp"])
    saved = app.provisioning.saved
    assert saved is not None
    assert saved.credentials.tenant_url == "https://api.linkedin.com"
    assert saved.notification_email == "ops@contoso.com" and saved.send_email_on_failure
    job = checked(world.client.get(world.job), "synchronization-job")
    assert job["status"]["code"] == "NotRun"
    # An invalid email: 400, the saved configuration stays as it was.
    message = graph_error(world.save_secrets(email="not-an-email"), 400)
    assert "not a valid email" in message
    assert app.provisioning.saved is saved
    # PUT replaces everything: without BaseAddress the Save fails.
    response = world.client.put(
        f"{world.sp}/synchronization/secrets",
        json={"value": [{"key": "SecretToken", "value": "t" * 20}]},
    )
    assert "Tenant URL" in graph_error(response, 400)
    graph_error(
        world.client.put(
            f"{world.sp}/synchronization/secrets",
            json={"value": [{"key": "Colour", "value": "blue"}]},
        ),
        400,
    )
    assert app.provisioning.saved is saved


def test_a_secret_token_is_masked_by_value_in_error_messages(world: GraphWorld) -> None:
    world.instantiate()
    world.create_job()
    token = "pasted-into-the-wrong-field-0123456789"
    credentials = [
        {"key": "BaseAddress", "value": f"ftp://{token}"},
        {"key": "SecretToken", "value": token},
    ]
    response = world.client.post(
        f"{world.job}/validateCredentials", json={"credentials": credentials}
    )
    message = graph_error(response, 400)
    assert "not an absolute URL" in message
    assert token not in response.text


def test_beta_get_secrets_masks_the_token_and_no_body_repeats_it(world: GraphWorld) -> None:
    world.configured()
    response = world.client.get(
        f"https://graph.microsoft.com/beta{world.sp}/synchronization/secrets"
    )
    values = {pair["key"]: pair["value"] for pair in response.json()["value"]}
    assert values["SecretToken"] == "*****"
    assert values["BaseAddress"] == "https://api.linkedin.com"
    graph_error(world.client.get(f"{world.sp}/synchronization/secrets"), 405)
    assert world.scim_token not in response.text


# --- start, status, clock, logs ---------------------------------------------------------------


def _started(world: GraphWorld) -> None:
    world.configured()
    world.add_user("Britta Simon", "britta.simon@contoso.com")
    world.add_user("Kai Li", "kai.li@contoso.com")
    assert world.assign("Britta Simon", world.ids["user_role"]).status_code == 201
    assert world.assign("Kai Li", DEFAULT_ACCESS_ROLE_ID).status_code == 201
    assert world.client.post(f"{world.job}/start").status_code == 204


def test_start_runs_the_initial_cycle_and_the_clock_runs_the_next(world: GraphWorld) -> None:
    _started(world)
    job = checked(world.client.get(world.job), "synchronization-job")
    assert job["schedule"]["interval"] == "PT40M" and job["schedule"]["state"] == "Active"
    status = job["status"]
    assert status["code"] == "Active"
    assert status["lastExecution"]["state"] == "Succeeded"
    assert {"key": "User", "value": 1} in status["synchronizedEntryCountByType"]
    first = status["lastExecution"]["timeBegan"]
    now = world.advance("PT40M")["now"]
    later = checked(world.client.get(world.job), "synchronization-job")
    assert later["status"]["lastExecution"]["timeBegan"] > first
    # S5: cycles take time: the clock stands where the cycle that fell due ended.
    assert now == later["status"]["lastExecution"]["timeEnded"] > "2026-01-05T09:40:00.000Z"
    # Britta (User role) is in Elevate; Kai (Default Access only) is not entitled.
    users = world.elevate.account_center.users()
    assert [(u.user_name, str(u.state)) for u in users] == [
        ("britta.simon@contoso.com", "Licensed")
    ]


def test_the_clock_refuses_a_bad_duration(world: GraphWorld) -> None:
    response = world.client.post(ADMIN + "/clock/advance", json={"duration": "forty minutes"})
    graph_error(response, 400)
    assert world.client.get(ADMIN + "/clock").json()["now"] == "2026-01-05T09:00:00.000Z"
    graph_error(
        httpx.Client(transport=world.client._transport).post(
            ADMIN + "/clock/advance", json={"duration": "PT1M"}
        ),
        401,
    )


def test_provisioning_logs_filter_and_page(world: GraphWorld) -> None:
    _started(world)
    entries = listed(world.client.get("/auditLogs/provisioning"), "provisioning-object-summary")
    assert {e["provisioningAction"] for e in entries} >= {"create"}
    # [G provisioningobjectsummary-list.md]: $orderby is documented.
    for direction in ("asc", "desc"):
        ordered = listed(
            world.client.get(
                "/auditLogs/provisioning",
                params={"$orderby": f"provisioningAction {direction}"},
            ),
            "provisioning-object-summary",
        )
        actions = [e["provisioningAction"] for e in ordered]
        assert actions == sorted(actions, reverse=direction == "desc") and len(ordered) == len(
            entries
        )
    created = listed(
        world.client.get(
            "/auditLogs/provisioning", params={"$filter": "provisioningAction eq 'create'"}
        ),
        "provisioning-object-summary",
    )
    assert [e["sourceIdentity"]["displayName"] for e in created] == ["Britta Simon"]
    skipped = listed(
        world.client.get(
            "/auditLogs/provisioning",
            params={
                "$filter": "provisioningStatusInfo/status eq 'skipped' and "
                "contains(sourceIdentity/displayName,'Kai')"
            },
        ),
        "provisioning-object-summary",
    )
    assert [e["sourceIdentity"]["displayName"] for e in skipped] == ["Kai Li"]
    # Filters are case-sensitive [G provisioningobjectsummary-list.md].
    assert (
        listed(
            world.client.get(
                "/auditLogs/provisioning", params={"$filter": "provisioningAction eq 'Create'"}
            ),
            "provisioning-object-summary",
        )
        == []
    )
    first = world.client.get("/auditLogs/provisioning", params={"$top": "1"}).json()
    assert len(first["value"]) == 1 and "@odata.nextLink" in first
    one = checked(
        world.client.get(f"/auditLogs/provisioning/{entries[0]['id']}"),
        "provisioning-object-summary",
    )
    assert one["id"] == entries[0]["id"]
    after = listed(
        world.client.get(
            "/auditLogs/provisioning",
            params={"$filter": "activityDateTime gt 2026-01-05T09:30:00Z"},
        ),
        "provisioning-object-summary",
    )
    assert after == []


def test_pause_and_restart_forms(world: GraphWorld) -> None:
    _started(world)
    assert world.client.post(f"{world.job}/pause").status_code == 204
    paused = checked(world.client.get(world.job), "synchronization-job")
    assert paused["status"]["code"] == "Paused" and paused["schedule"]["state"] == "Paused"
    assert world.advance("PT2H")["timersFired"] == 0
    assert world.client.post(f"{world.job}/start").status_code == 204
    forms: tuple[dict[str, Any], ...] = (
        {"criteria": {"resetScope": "Watermark, Escrows, QuarantineState"}},
        {"criteria": {"resetScope": "Full"}},
        {"criteria": {}},
        {},
        {"criteria": {"resetScope": "ForceDeletes"}},
    )
    for criteria in forms:
        assert world.client.post(f"{world.job}/restart", json=criteria).status_code == 204
    graph_error(
        world.client.post(f"{world.job}/restart", json={"criteria": {"resetScope": "Everything"}}),
        400,
    )


def test_start_lifts_a_quarantine_once_the_credentials_work(world: GraphWorld) -> None:
    world.configured()
    world.add_user("Britta Simon", "britta.simon@contoso.com")
    world.assign("Britta Simon", world.ids["user_role"])
    notification = json.dumps({"Enabled": True, "Recipients": "ops@contoso.com"})
    wrong = [world.credentials("a-token-that-was-revoked")[1]]
    secrets = {
        "value": [
            world.credentials()[0],
            *wrong,
            {"key": "SyncNotificationSettings", "value": notification},
        ]
    }
    assert world.client.put(f"{world.sp}/synchronization/secrets", json=secrets).status_code == 204
    assert world.client.post(f"{world.job}/start").status_code == 204
    quarantined = checked(world.client.get(world.job), "synchronization-job")["status"]
    assert quarantined["code"] == "Quarantine" and quarantined["quarantine"] is not None
    assert world.save_secrets().status_code == 204
    assert world.client.post(f"{world.job}/start").status_code == 204
    status = checked(world.client.get(world.job), "synchronization-job")["status"]
    assert status["code"] == "Active" and status["quarantine"] is None
    assert [u.user_name for u in world.elevate.account_center.users()] == [
        "britta.simon@contoso.com"
    ]


def test_a_job_id_starts_with_its_template_id_and_the_logs_carry_it(world: GraphWorld) -> None:
    _started(world)
    job_id = world.ids["job"]
    # Reference A.1 "IDs": {templateId}.{tenantIdWithoutDashes}.{guid}.
    template, tenant, guid = job_id.split(".")
    assert template == "linkedInElevate" and re.fullmatch(r"[0-9a-f]{32}", tenant)
    assert str(uuid.UUID(guid)) == guid
    entries = listed(world.client.get("/auditLogs/provisioning"), "provisioning-object-summary")
    assert entries and {e["jobId"] for e in entries} == {job_id}
    assert {e["tenantId"].replace("-", "") for e in entries} == {tenant}
    assert checked(world.client.get(world.job), "synchronization-job")["id"] == job_id
    by_job = listed(
        world.client.get("/auditLogs/provisioning", params={"$filter": f"jobId eq '{job_id}'"}),
        "provisioning-object-summary",
    )
    assert len(by_job) == len(entries)


def test_delete_job_stops_it(world: GraphWorld) -> None:
    _started(world)
    [job] = world.service.synchronization.all_jobs()
    assert world.client.delete(world.job).status_code == 204
    graph_error(world.client.get(world.job), 404)
    assert world.advance("PT2H")["timersFired"] == 0
    # The deleted job no longer hears the Provisioning page's Save.
    assert world.save_secrets().status_code == 204
    world.advance("PT2H")
    assert job.cycles_run == 1
    graph_error(world.client.delete(world.job), 404)
    # Its template is free again: a new job, with a new id.
    assert world.create_job()["id"] != job.job_id


# --- on demand, schema, parseExpression -------------------------------------------------------


def _rule_id(world: GraphWorld) -> str:
    schema = checked(world.client.get(f"{world.job}/schema"), "synchronization-schema")
    return str(schema["synchronizationRules"][0]["id"])


def test_provision_on_demand_answers_the_documented_pair(world: GraphWorld) -> None:
    world.configured()
    britta = world.add_user("Britta Simon", "britta.simon@contoso.com")
    world.assign("Britta Simon", world.ids["user_role"])
    body = {
        "parameters": [
            {
                "ruleId": _rule_id(world) + "#V2",
                "subjects": [{"objectId": britta, "objectTypeName": "User"}],
            }
        ]
    }
    pair = checked(
        world.client.post(f"{world.job}/provisionOnDemand", json=body),
        "string-key-string-value-pair",
    )
    key, value = json.loads(pair["key"]), json.loads(pair["value"])
    from harness.schemas.graph import graph_violations

    assert graph_violations("provision-on-demand-key", key) == []
    assert graph_violations("provision-on-demand-value", value) == []
    assert key["result"] == "Success" and value["action"] == "Create"
    assert value["reportableIdentifier"] == "britta.simon@contoso.com"
    for _ in range(4):
        world.client.post(f"{world.job}/provisionOnDemand", json=body)
    throttled = world.client.post(f"{world.job}/provisionOnDemand", json=body)
    graph_error(throttled, 429)
    assert int(throttled.headers["Retry-After"]) >= 1


def test_provision_on_demand_of_a_group_answers_as_the_docs_group_example(
    world: GraphWorld,
) -> None:
    world.configured()
    britta = world.add_user("Britta Simon", "britta.simon@contoso.com")
    group = world.client.post(
        "/groups",
        json={
            "displayName": "Sales",
            "mailEnabled": False,
            "mailNickname": "sales",
            "securityEnabled": True,
            "members@odata.bind": [f"https://graph.microsoft.com/v1.0/directoryObjects/{britta}"],
        },
    ).json()
    world.ids["Sales"] = group["id"]
    assert world.assign("Sales", world.ids["user_role"]).status_code == 201
    subject = {
        "objectId": group["id"],
        "objectTypeName": "Group",
        "links": {"members": [{"objectId": britta, "objectTypeName": "User"}]},
    }
    body = {"parameters": [{"ruleId": _rule_id(world), "subjects": [subject]}]}
    pair = checked(
        world.client.post(f"{world.job}/provisionOnDemand", json=body),
        "string-key-string-value-pair",
    )
    assert json.loads(pair["key"]) == {"result": "Success", "details": {}}
    assert pair["value"] == "{}"
    assert [u.user_name for u in world.elevate.account_center.users()] == [
        "britta.simon@contoso.com"
    ]


def test_provision_on_demand_picks_members_of_a_larger_group_and_cannot_find_disabled_users(
    world: GraphWorld,
) -> None:
    world.configured()
    people = [world.add_user(f"Member {n}", f"member{n}@contoso.com") for n in range(1, 8)]
    group = world.client.post(
        "/groups",
        json={
            "displayName": "Sales",
            "mailEnabled": False,
            "mailNickname": "sales",
            "securityEnabled": True,
            "members@odata.bind": [
                f"https://graph.microsoft.com/v1.0/directoryObjects/{p}" for p in people
            ],
        },
    ).json()
    world.ids["Sales"] = group["id"]
    assert world.assign("Sales", world.ids["user_role"]).status_code == 201

    def on_demand(subject: dict[str, object]) -> httpx.Response:
        body = {"parameters": [{"ruleId": _rule_id(world), "subjects": [subject]}]}
        return world.client.post(f"{world.job}/provisionOnDemand", json=body)

    whole_group = {"objectId": group["id"], "objectTypeName": "Group"}
    # S10: a group of more than five members needs members picked, up to five.
    assert "up to 5" in graph_error(on_demand(whole_group), 400)
    too_many = {
        **whole_group,
        "links": {"members": [{"objectId": p, "objectTypeName": "User"} for p in people[:6]]},
    }
    graph_error(on_demand(too_many), 400)
    links_on_a_user = {
        "objectId": people[0],
        "objectTypeName": "User",
        "links": {"members": [{"objectId": people[1], "objectTypeName": "User"}]},
    }
    graph_error(on_demand(links_on_a_user), 400)
    assert world.elevate.account_center.users() == []

    picked = {
        **whole_group,
        "links": {"members": [{"objectId": p, "objectTypeName": "User"} for p in people[:2]]},
    }
    checked(on_demand(picked), "string-key-string-value-pair")
    assert sorted(u.user_name for u in world.elevate.account_center.users()) == [
        "member1@contoso.com",
        "member2@contoso.com",
    ]

    # S10: users disabled in Entra "don't appear when you search": 404, nothing sent.
    assert (
        world.client.patch(f"/users/{people[6]}", json={"accountEnabled": False}).status_code == 204
    )
    message = graph_error(
        on_demand({"objectId": people[6], "objectTypeName": "User"}),
        404,
        "Request_ResourceNotFound",
    )
    assert "disabled or deleted" in message
    assert len(world.elevate.account_center.users()) == 2


def test_provision_on_demand_refuses_bad_input(world: GraphWorld) -> None:
    world.configured()
    britta = world.add_user("Britta Simon", "britta.simon@contoso.com")
    wrong_rule = {
        "parameters": [
            {"ruleId": "nope", "subjects": [{"objectId": britta, "objectTypeName": "User"}]}
        ]
    }
    graph_error(world.client.post(f"{world.job}/provisionOnDemand", json=wrong_rule), 400)
    ghost = {
        "parameters": [
            {
                "ruleId": _rule_id(world),
                "subjects": [
                    {"objectId": "44444444-4444-4444-8444-444444444444", "objectTypeName": "User"}
                ],
            }
        ]
    }
    graph_error(world.client.post(f"{world.job}/provisionOnDemand", json=ghost), 404)
    assert (
        list(
            world.service.synchronization.jobs(
                world.tenant.enterprise_applications.get(world.ids["sp"])
            )[0].log
        )
        == []
    )


def test_schema_round_trips_and_an_invalid_expression_changes_nothing(world: GraphWorld) -> None:
    world.configured()
    app = world.tenant.enterprise_applications.get(world.ids["sp"])
    schema = checked(world.client.get(f"{world.job}/schema"), "synchronization-schema")
    version = app.provisioning.mappings_version
    assert world.client.put(f"{world.job}/schema", json=schema).status_code == 204
    assert app.provisioning.mappings_version == version  # nothing changed, nothing saved
    users = schema["synchronizationRules"][0]["objectMappings"][0]
    title = next(m for m in users["attributeMappings"] if m["targetAttributeName"] == "title")
    title["source"] = {
        "expression": 'Join(" ", [jobTitle], "(Elevate)")',
        "name": "Join",
        "type": "Function",
        "parameters": [],
    }
    assert world.client.put(f"{world.job}/schema", json=schema).status_code == 204
    assert (
        app.provisioning.user_mapping.mapping_for("title").expression
        == 'Join(" ", [jobTitle], "(Elevate)")'
    )
    title["source"]["expression"] = 'Join(" ", [jobTitle]'
    graph_error(world.client.put(f"{world.job}/schema", json=schema), 400)
    assert (
        app.provisioning.user_mapping.mapping_for("title").expression
        == 'Join(" ", [jobTitle], "(Elevate)")'
    )
    template_schema = checked(
        world.client.get(f"{world.sp}/synchronization/templates/linkedInElevate/schema"),
        "synchronization-schema",
    )
    assert template_schema["synchronizationRules"][0]["id"] == _rule_id(world)


def test_parse_expression_parses_and_evaluates(world: GraphWorld) -> None:
    world.configured()
    body = {
        "expression": 'Replace([preferredLanguage], , "-", , "_", , )',
        "testInputObject": {
            "definition": None,
            "properties": [{"key": "preferredLanguage", "value": "en-US"}],
        },
    }
    result = checked(
        world.client.post(f"{world.job}/schema/parseExpression", json=body),
        "parse-expression-response",
    )
    assert result["parsingSucceeded"] and result["evaluationSucceeded"]
    assert result["evaluationResult"] == ["en_US"]
    assert result["parsedExpression"]["name"] == "Replace"
    assert result["parsedExpression"]["parameters"][0] == {
        "key": "source",
        "value": {
            "expression": "[preferredLanguage]",
            "name": "preferredLanguage",
            "parameters": [],
            "type": "Attribute",
        },
    }
    broken = checked(
        world.client.post(
            f"{world.job}/schema/parseExpression", json={"expression": "Replace([x]"}
        ),
        "parse-expression-response",
    )
    assert broken["parsingSucceeded"] is False and broken["error"]["message"]
    graph_error(world.client.post(f"{world.job}/schema/parseExpression", json={}), 400)
