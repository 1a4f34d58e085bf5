"""fake_entra.graph.directory_audits: ``GET /auditLogs/directoryAudits`` (and ``/{id}``) over
the raw HTTP client [G resources/directoryaudit.md, directoryaudit-list.md, -get.md]."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from graph_support import TOKEN, GraphWorld, checked, graph_error, graph_world, listed

from fake_entra.graph import GraphError, GraphSettings
from fake_entra.graph.odata import parse_filter
from fake_entra.tenant import DirectoryRole

AUDITS = "/auditLogs/directoryAudits"
START = "Enable/start provisioning configuration"
PAUSE = "Disable/pause provisioning configuration"
RESTART = "Enable/restart provisioning configuration"
UPDATE = "Update provisioning setting or credentials"
EVERY = [RESTART, PAUSE, START, UPDATE]
NINE = "2026-01-05T09:00:00Z"


def walk(world: GraphWorld) -> None:
    """Save (09:00), start (09:00), pause and restart five minutes later."""
    world.configured()
    assert world.client.post(f"{world.job}/start").status_code == 204
    world.advance("PT5M")
    assert world.client.post(f"{world.job}/pause").status_code == 204
    assert world.client.post(f"{world.job}/restart", json={}).status_code == 204


@pytest.fixture
def world() -> Iterator[GraphWorld]:
    for world in graph_world():
        walk(world)
        yield world


def audits(world: GraphWorld, **params: str) -> list[dict[str, Any]]:
    return listed(world.client.get(AUDITS, params=params), "directory-audit")


def names(entries: list[dict[str, Any]]) -> list[str]:
    return [entry["activityDisplayName"] for entry in entries]


def test_the_audit_log_lists_the_jobs_configuration_changes_newest_first(
    world: GraphWorld,
) -> None:
    response = world.client.get(AUDITS)
    body = response.json()
    assert body["@odata.context"] == (
        "https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits"
    )
    entries = audits(world)
    # Pause and restart share an instant: the one logged last comes first.
    assert names(entries) == [RESTART, PAUSE, START, UPDATE]
    for entry in entries:
        assert entry["category"] == "ProvisioningManagement"
        assert entry["loggedByService"] == "Account Provisioning"
        assert entry["result"] == "success"
        assert entry["operationType"] == "Update"
        (target,) = entry["targetResources"]
        assert (target["id"], target["displayName"], target["type"]) == (
            world.ids["sp"],
            "LinkedIn Elevate",
            "ServicePrincipal",
        )
        # The Graph caller (the token's holder) is the admin who acted.
        user = entry["initiatedBy"]["user"]
        assert user["userPrincipalName"] == "graph-client@contoso.com"
        assert entry["initiatedBy"]["app"] is None
    update = entries[-1]
    changed = {
        p["displayName"]: p["newValue"] for p in update["targetResources"][0]["modifiedProperties"]
    }
    assert changed["NotificationEmail"] == "ops@contoso.com"
    assert changed["SecretToken"] == "(changed)"
    assert world.scim_token not in response.text


def test_one_entry_by_id_and_an_unknown_id(world: GraphWorld) -> None:
    first = audits(world)[0]
    body = checked(world.client.get(f"{AUDITS}/{first['id']}"), "directory-audit")
    assert body["@odata.context"].endswith("$metadata#auditLogs/directoryAudits/$entity")
    assert {k: v for k, v in body.items() if k != "@odata.context"} == first
    chosen = world.client.get(
        f"{AUDITS}/{first['id']}", params={"$select": "id,activityDisplayName"}
    )
    assert chosen.status_code == 200
    assert set(chosen.json()) == {"@odata.context", "id", "activityDisplayName"}
    message = graph_error(world.client.get(f"{AUDITS}/not-an-entry"), 404, "ResourceNotFound")
    assert "not-an-entry" in message


def test_beta_serves_the_same_log(world: GraphWorld) -> None:
    response = world.client.get(f"https://graph.microsoft.com/beta{AUDITS}")
    assert response.status_code == 200
    assert response.json()["@odata.context"].startswith("https://graph.microsoft.com/beta/")
    assert names(response.json()["value"]) == names(audits(world))


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (f"activityDisplayName eq '{PAUSE}'", [PAUSE]),
        ("startswith(activityDisplayName,'Enable/')", [RESTART, START]),
        ("loggedByService eq 'Account Provisioning'", EVERY),
        ("loggedByService eq 'Core Directory'", []),
        ("category eq 'ProvisioningManagement'", EVERY),
        ("activityDateTime ge 2026-01-05T09:01:00Z", [RESTART, PAUSE]),
        ("activityDateTime le 2026-01-05T09:00:00Z", [START, UPDATE]),
        (f"activityDateTime ge {NINE} and activityDateTime le {NINE}", [START, UPDATE]),
        (f"activityDateTime eq {NINE}", [START, UPDATE]),
        ("startswith(initiatedBy/user/userPrincipalName,'graph-client@')", EVERY),
        ("initiatedBy/user/userPrincipalName eq 'someone.else@contoso.com'", []),
        ("initiatedBy/app/displayName eq 'Azure AD Provisioning Service'", []),
        ("targetResources/any(t:t/displayName eq 'LinkedIn Elevate')", EVERY),
        ("targetResources/any(t:startswith(t/displayName,'Linked'))", EVERY),
        ("targetResources/any(t:t/id eq '00000000-0000-0000-0000-000000000000')", []),
    ],
)
def test_filters_on_the_documented_properties(
    world: GraphWorld, expression: str, expected: list[str]
) -> None:
    assert names(audits(world, **{"$filter": expression})) == expected


def test_filters_on_the_initiator_and_target_ids(world: GraphWorld) -> None:
    entries = audits(world)
    user_id = entries[0]["initiatedBy"]["user"]["id"]
    by_user = audits(world, **{"$filter": f"initiatedBy/user/id eq '{user_id}'"})
    assert names(by_user) == names(entries)
    by_target = audits(world, **{"$filter": f"targetResources/any(t:t/id eq '{world.ids['sp']}')"})
    assert names(by_target) == names(entries)
    by_id = audits(world, **{"$filter": f"id eq '{entries[1]['id']}'"})
    assert names(by_id) == [PAUSE]
    correlated = audits(world, **{"$filter": f"correlationId eq '{entries[2]['correlationId']}'"})
    assert names(correlated) == [START]


@pytest.mark.parametrize(
    "params",
    [
        # activityDateTime takes eq, ge and le only [G resources/directoryaudit.md].
        {"$filter": "activityDateTime gt 2026-01-05T09:01:00Z"},
        {"$filter": "contains(activityDisplayName,'start')"},
        {"$filter": "startswith(loggedByService,'Account')"},
        {"$filter": "operationType eq 'Update'"},
        {"$filter": "resultReason eq ''"},
        {"$filter": "targetResources/any(t:t/type eq 'ServicePrincipal')"},
        {"$filter": "activityDisplayName eq"},
        {"$orderby": "activityDisplayName"},
        {"$count": "true"},
        {"$skip": "1"},
    ],
)
def test_unsupported_queries_are_odata_errors(world: GraphWorld, params: dict[str, str]) -> None:
    graph_error(world.client.get(AUDITS, params=params), 400, "Request_UnsupportedQuery")


def test_orderby_activity_date_time_and_paging(world: GraphWorld) -> None:
    ascending = audits(world, **{"$orderby": "activityDateTime asc"})
    times = [e["activityDateTime"] for e in ascending]
    assert times == sorted(times) and times[0] < times[-1]
    # Entries of one instant keep no documented order among themselves.
    assert set(names(ascending)[:2]) == {UPDATE, START}
    descending = audits(world, **{"$orderby": "activityDateTime desc"})
    assert [e["activityDateTime"] for e in descending] == sorted(
        (e["activityDateTime"] for e in ascending), reverse=True
    )
    seen: list[str] = []
    response = world.client.get(AUDITS, params={"$top": "3"})
    pages = 0
    while True:
        pages += 1
        seen.extend(names(listed(response, "directory-audit")))
        link = response.json().get("@odata.nextLink")
        if link is None:
            break
        assert "$top=3" in link and "$skiptoken=" in link
        response = world.client.get(link)
    assert (pages, seen) == (2, names(audits(world)))
    graph_error(world.client.get(AUDITS, params={"$top": "0"}), 400, "Request_BadRequest")
    graph_error(
        world.client.get(AUDITS, params={"$skiptoken": "forged"}), 400, "Request_BadRequest"
    )


def test_reading_the_audit_log_needs_a_role_that_reads_audit_logs() -> None:
    """AuditLog.Read.All in a delegated call: the signed-in admin's role decides
    [G directoryaudit-list.md; E permissions-reference: auditLogs/allProperties/read]."""
    for world in graph_world(settings=GraphSettings(token=TOKEN, caller_role=None)):
        world.tenant.sign_in(DirectoryRole.CLOUD_APPLICATION_ADMINISTRATOR, "ada@contoso.com")
        walk(world)
        entries = audits(world)
        assert {e["initiatedBy"]["user"]["userPrincipalName"] for e in entries} == {
            "ada@contoso.com"
        }
        for role in (DirectoryRole.USER_ADMINISTRATOR, DirectoryRole.HELPDESK_ADMINISTRATOR):
            world.tenant.sign_in(role, "helper@contoso.com")
            message = graph_error(world.client.get(AUDITS), 403, "Authorization_RequestDenied")
            assert "AuditLog.Read.All" in message and str(role) in message
            graph_error(
                world.client.get(f"{AUDITS}/{entries[0]['id']}"),
                403,
                "Authorization_RequestDenied",
            )
        world.tenant.sign_in(DirectoryRole.GLOBAL_READER, "reader@contoso.com")
        assert names(audits(world)) == names(entries)
        world.tenant.sign_out()
        graph_error(world.client.get(AUDITS), 403, "Authorization_RequestDenied")


def test_an_admin_in_the_directory_is_named_by_object_id_and_display_name() -> None:
    for world in graph_world(settings=GraphSettings(token=TOKEN, caller_role=None)):
        world.tenant.sign_in(DirectoryRole.GLOBAL_ADMINISTRATOR, "admin@contoso.com")
        admin_id = world.add_user("Ada Admin", "ada.admin@contoso.com")
        world.tenant.sign_in(DirectoryRole.GLOBAL_ADMINISTRATOR, "ada.admin@contoso.com")
        walk(world)
        user = audits(world)[0]["initiatedBy"]["user"]
        assert (user["id"], user["displayName"]) == (admin_id, "Ada Admin")
        found = audits(world, **{"$filter": "initiatedBy/user/displayName eq 'Ada Admin'"})
        assert len(found) == 4


def test_the_log_is_empty_before_any_job_and_needs_a_bearer() -> None:
    for world in graph_world():
        assert audits(world) == []
        response = world.client.get(AUDITS, headers={"Authorization": ""})
        graph_error(response, 401, "InvalidAuthenticationToken")


def test_a_lambda_reaches_a_property_of_an_object_element_only_where_allowed() -> None:
    allowed = frozenset({"targetResources", "targetResources/id"})
    parse_filter("targetResources/any(t:t/id eq 'x')", allowed)
    with pytest.raises(GraphError, match="displayName"):
        parse_filter("targetResources/any(t:t/displayName eq 'x')", allowed)
