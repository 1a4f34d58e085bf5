"""Each defect a check exists for, built into a server, must fail that check; Fake
Elevate as it is must pass it (issue 20).

The defective servers are Fake Elevate behind a transport that changes what goes over the
wire, as a server with that defect would: it ignores ``count``, matches filter attribute
names case-sensitively, enforces userName uniqueness case-sensitively, refuses null,
drops manager operations, answers 501 to every group PATCH. Fake Elevate's own fault
profiles are used where one fits (``ignore-active``: a disable that never lands).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest

from fake_elevate.elevate import FakeElevate
from harness.conformance.report import (
    SCHEMA_NAME,
    ReportJson,
    render_html,
    render_json,
    render_junit,
)
from harness.conformance.runner import (
    ConformanceSettings,
    dialects_for,
    run_conformance,
    summary_lines,
)
from harness.transport import AsgiTransport
from harness.validation import validate_body

Send = Callable[[httpx.Request], httpx.Response]
Defect = Callable[[httpx.Request, Send], httpx.Response]

URL = "http://127.0.0.1:9/scim/v2"


class Defective(httpx.BaseTransport):
    """Fake Elevate, as seen over the wire through ``defect``."""

    def __init__(self, inner: httpx.BaseTransport, defect: Defect) -> None:
        self.inner = inner
        self.defect = defect

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()

        def send(sent: httpx.Request) -> httpx.Response:
            response = self.inner.handle_request(sent)
            response.read()
            return response

        return self.defect(request, send)


def _rebuilt(request: httpx.Request, *, url: Any = None, body: Any = ...) -> httpx.Request:
    headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
    content = request.content if body is ... else json.dumps(body).encode()
    return httpx.Request(request.method, url or request.url, headers=headers, content=content)


def _scim(status: int, body: dict[str, Any]) -> httpx.Response:
    return httpx.Response(status, json=body, headers={"Content-Type": "application/scim+json"})


def _error(status: int, detail: str, scim_type: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": str(status),
        "detail": detail,
    }
    if scim_type:
        body["scimType"] = scim_type
    return _scim(status, body)


def _json(request: httpx.Request) -> Any:
    try:
        return json.loads(request.content or b"null")
    except ValueError:
        return None


def count_ignored(request: httpx.Request, send: Send) -> httpx.Response:
    """Returns the whole list whatever ``count`` says."""
    params = dict(parse_qsl(request.url.query.decode()))
    if request.method == "GET" and "count" in params:
        kept = {k: v for k, v in params.items() if k not in ("count", "startIndex")}
        return send(_rebuilt(request, url=request.url.copy_with(query=urlencode(kept).encode())))
    return send(request)


_CANONICAL = ("userName", "externalId", "displayName", "emails", "members", "id")


def case_sensitive_filter_names(request: httpx.Request, send: Send) -> httpx.Response:
    """Knows only the attribute names spelled as in the schema: USERNAME finds nothing."""
    text = dict(parse_qsl(request.url.query.decode())).get("filter", "")
    name = re.match(r"\s*([\w.:]+)", text)
    if (
        name
        and name.group(1) not in _CANONICAL
        and name.group(1).lower() in {c.lower() for c in _CANONICAL}
    ):
        empty = ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
        return _scim(200, {"schemas": empty, "totalResults": 0, "Resources": []})
    return send(request)


def case_sensitive_uniqueness(request: httpx.Request, send: Send) -> httpx.Response:
    """Refuses only an exact duplicate: one that differs in case is created."""
    response = send(request)
    body = _json(request)
    if request.method != "POST" or response.status_code != 409 or not isinstance(body, dict):
        return response
    wanted = str(body.get("userName"))
    query = urlencode({"filter": f'userName eq "{wanted}"'}).encode()
    found = send(httpx.Request("GET", request.url.copy_with(query=query), headers=request.headers))
    names = [r.get("userName") for r in found.json().get("Resources", [])]
    if wanted in names:
        return response  # an exact duplicate: refused
    renamed = dict(body, userName=f"case-{wanted}")  # stored apart: a second user exists
    return send(_rebuilt(request, body=renamed))


def _has_null(value: Any) -> bool:
    if isinstance(value, dict):
        return any(v is None or _has_null(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_null(v) for v in value)
    return False


def null_refused(request: httpx.Request, send: Send) -> httpx.Response:
    """Refuses null for any attribute of a POST body."""
    if request.method == "POST" and _has_null(_json(request)):
        return _error(400, "null is not a valid value", "invalidValue")
    return send(request)


def _manager_dropper(keep: Callable[[dict[str, Any]], bool]) -> Defect:
    def defect(request: httpx.Request, send: Send) -> httpx.Response:
        body = _json(request)
        if request.method != "PATCH" or "/Users/" not in request.url.path:
            return send(request)
        operations = [o for o in body.get("Operations", []) if isinstance(o, dict)]
        kept = [o for o in operations if keep(o)]
        if len(kept) == len(operations):
            return send(request)
        if not kept:  # acknowledged, not applied
            return send(httpx.Request("GET", request.url, headers=request.headers))
        return send(_rebuilt(request, body=dict(body, Operations=kept)))

    return defect


def _is_manager(operation: dict[str, Any]) -> bool:
    value = operation.get("value")
    in_value = isinstance(value, dict) and any("manager" in str(k) for k in value)
    return "manager" in str(operation.get("path", "")) or in_value


manager_ignored = _manager_dropper(lambda o: not _is_manager(o))
manager_clear_ignored = _manager_dropper(
    lambda o: not (_is_manager(o) and str(o.get("op")).lower() == "remove")
)


def group_patch_501(request: httpx.Request, send: Send) -> httpx.Response:
    if request.method == "PATCH" and "/Groups/" in request.url.path:
        return _error(501, "PATCH is not implemented for groups")
    return send(request)


def no_defect(request: httpx.Request, send: Send) -> httpx.Response:
    return send(request)


def run(defect: Defect = no_defect, *faults: str, dialect: str = "both") -> ReportJson:
    elevate = FakeElevate(seed=11)
    _, token = elevate.quick_setup(seats=50)
    transport = Defective(AsgiTransport(elevate.asgi_app(faults=faults)), defect)
    settings = ConformanceSettings(url=URL, token=token, dialects=dialects_for(dialect), rate=1000)
    report = run_conformance(settings, transport=transport)
    assert elevate.store.count("User") == 0  # cleaned up, whatever the defect left
    assert validate_body(json.loads(render_json(report)), SCHEMA_NAME) == []
    return report


def outcomes(report: ReportJson) -> dict[str, str]:
    return {
        (f"{r['id']} [{r['dialect']}]" if r["dialect"] else r["id"]): r["outcome"]
        for r in report["results"]
    }


@pytest.fixture(scope="module")
def clean() -> Iterator[ReportJson]:
    yield run()


NEW_CHECKS = (
    "RFC7644-3.4.2.4-COUNT",
    "RFC7644-3.4.2.2-FILTER-ATTRIBUTE-CASE",
    "RFC7643-4.1.1-USERNAME-UNIQUE-CASE",
    "RFC7643-2.5-NULL-UNASSIGNED",
    "ENTRA-FLOW-MANAGER-ADD [default]",
    "ENTRA-FLOW-MANAGER-REPLACE [default]",
    "ENTRA-FLOW-MANAGER-CLEAR [default]",
    "ENTRA-FLOW-MANAGER-ADD [aadOptscim062020]",
    "ENTRA-FLOW-MANAGER-REPLACE [aadOptscim062020]",
    "ENTRA-FLOW-MANAGER-CLEAR [aadOptscim062020]",
)


def test_fake_elevate_passes_every_new_check_and_lists_the_shapes_it_exercised(
    clean: ReportJson,
) -> None:
    found = outcomes(clean)
    assert {key: found[key] for key in NEW_CHECKS} == dict.fromkeys(NEW_CHECKS, "passed")
    assert clean["verdict"]["exitCode"] == 0 and clean["causes"] == []
    shapes = {s["shape"] for s in clean["requestShapes"]}
    manager = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"
    for op in ("Add", "Replace", "Remove", "add", "replace", "remove"):
        assert f"PATCH /Users/{{id}} [{op} {manager}]" in shapes
    assert "GET /Users?filter=userName eq" in shapes
    assert "GET /Groups?filter=displayName eq&excludedAttributes=members" in shapes


def test_a_server_that_ignores_count_fails_a_must_quoting_3_4_2_4() -> None:
    report = run(count_ignored, dialect="default")
    [count] = [r for r in report["results"] if r["id"] == "RFC7644-3.4.2.4-COUNT"]
    assert count["outcome"] == "failed" and count["level"] == "MUST"
    [clause] = count["clauses"]
    assert clause["keyword"] == "MUST NOT" and clause["section"] == "3.4.2.4"
    assert "MUST NOT return more results than specified" in clause["text"]
    assert clause["url"] == "https://www.rfc-editor.org/rfc/rfc7644#section-3.4.2.4"
    assert report["verdict"]["exitCode"] == 1
    assert "RFC7644-3.4.2.4-COUNT" in report["verdict"]["rfc"]["failed"]
    text = "\n".join(summary_lines(report, with_failures=True))
    assert "MUST NOT return more results than specified" in text
    assert "https://www.rfc-editor.org/rfc/rfc7644#section-3.4.2.4" in text
    # The clause and its link, and the evidence as curl, in JUnit and HTML too.
    link = "https://www.rfc-editor.org/rfc/rfc7644#section-3.4.2.4"
    junit = render_junit(report)
    assert link in junit and "MUST NOT return more results" in junit and "$ curl -sS" in junit
    page = render_html(report)
    assert f'<a href="{link}">RFC 7644 §3.4.2.4</a>' in page and "As curl" in page
    assert "Entra request shapes exercised" in page


@pytest.mark.parametrize(
    ("defect", "check"),
    [
        (case_sensitive_filter_names, "RFC7644-3.4.2.2-FILTER-ATTRIBUTE-CASE"),
        (case_sensitive_uniqueness, "RFC7643-4.1.1-USERNAME-UNIQUE-CASE"),
        (null_refused, "RFC7643-2.5-NULL-UNASSIGNED"),
    ],
)
def test_each_new_rfc_check_fails_on_a_server_with_its_defect(defect: Defect, check: str) -> None:
    report = run(defect, dialect="default")
    assert outcomes(report)[check] == "failed"
    assert check in report["verdict"]["rfc"]["failed"]
    assert report["verdict"]["exitCode"] == 1


def test_a_server_that_ignores_manager_fails_manager_add_in_both_dialects() -> None:
    found = outcomes(run(manager_ignored))
    for dialect in ("default", "aadOptscim062020"):
        assert found[f"ENTRA-FLOW-MANAGER-ADD [{dialect}]"] == "failed"
        # Nothing to replace or clear: not established, never passed.
        assert found[f"ENTRA-FLOW-MANAGER-REPLACE [{dialect}]"] == "not established"
        assert found[f"ENTRA-FLOW-MANAGER-CLEAR [{dialect}]"] == "not established"


def test_a_server_that_ignores_a_manager_remove_fails_manager_clear_in_both_dialects() -> None:
    found = outcomes(run(manager_clear_ignored))
    for dialect in ("default", "aadOptscim062020"):
        assert found[f"ENTRA-FLOW-MANAGER-ADD [{dialect}]"] == "passed"
        assert found[f"ENTRA-FLOW-MANAGER-REPLACE [{dialect}]"] == "passed"
        assert found[f"ENTRA-FLOW-MANAGER-CLEAR [{dialect}]"] == "failed"


def test_a_disable_that_never_lands_leaves_the_re_enable_not_established() -> None:
    report = run(no_defect, "ignore-active", dialect="default")
    [enable] = [r for r in report["results"] if r["id"] == "ENTRA-FLOW-ENABLE-USER"]
    assert enable["outcome"] == "not established"
    assert enable["blockedBy"] is not None
    assert enable["blockedBy"]["check"] == "ENTRA-FLOW-DISABLE-USER [default]"
    assert "disable never landed" in enable["message"]
    assert report["verdict"]["entra"]["verdict"] != "works"
    assert "ENTRA-FLOW-ENABLE-USER [default]" in report["verdict"]["entra"]["errors"]


def test_a_501_to_every_group_patch_is_one_root_cause_that_explains_the_group_steps() -> None:
    report = run(group_patch_501)
    group_steps = {
        f"ENTRA-FLOW-{step} [{dialect}]"
        for step in ("ADD-MEMBERS", "UPDATE-GROUP", "ADD-MEMBER", "REMOVE-MEMBER")
        for dialect in ("default", "aadOptscim062020")
    }
    found = outcomes(report)
    assert {k: found[k] for k in group_steps} == dict.fromkeys(group_steps, "failed")
    patch_causes = [c for c in report["causes"] if c["request"] == "PATCH /Groups/{id}"]
    assert len(patch_causes) == 1
    [cause] = patch_causes
    assert cause["answer"] == "501" and group_steps <= set(cause["explains"])
    assert cause["fix"] is not None and "501" in cause["fix"]
    assert cause["curl"] is not None and cause["curl"].startswith("curl -sS -X PATCH ")
    assert '"Authorization: Bearer $PROVISIM_SCIM_TOKEN"' in cause["curl"]
    # Each group step's hint follows from its own evidence: the 501, never the dialect.
    for row in report["results"]:
        key = f"{row['id']} [{row['dialect']}]"
        if key in group_steps:
            assert "501" in row["hint"] and "capitalises" not in row["hint"], row["hint"]
    text = "\n".join(summary_lines(report, with_failures=True))
    assert (
        text.count("C1  PATCH /Groups/{id} -> 501") + text.count("C2  PATCH /Groups/{id} -> 501")
        == 1
    )


def alice_title_dropped_and_carol_refused(request: httpx.Request, send: Send) -> httpx.Response:
    """Stores alice without her title (a 201 nonetheless) and answers carol's create 501."""
    body = _json(request)
    if request.method == "POST" and isinstance(body, dict) and "userName" in body:
        if "-default-carol" in str(body["userName"]):
            return _error(501, "carol cannot be created here")
        if "-default-alice" in str(body["userName"]):
            return send(_rebuilt(request, body={k: v for k, v in body.items() if k != "title"}))
    return send(request)


def test_a_failure_never_quotes_another_users_unrelated_error() -> None:
    report = run(alice_title_dropped_and_carol_refused, dialect="default")
    [create] = [r for r in report["results"] if r["id"] == "ENTRA-FLOW-CREATE-USER"]
    assert create["outcome"] == "failed" and "alice" in create["message"]
    # Entra logged nothing for alice; carol's 501 is another user's story.
    assert "501" not in create["message"] and "carol" not in create["message"]


def excluded_attributes_by_id_refused(request: httpx.Request, send: Send) -> httpx.Response:
    """A server that knows excludedAttributes on queries only: a read of one group by id
    with it is a 400 (so a Restart cannot read the linked group back)."""
    path = request.url.path.rstrip("/")
    by_id = re.search(r"/Groups/[^/]+$", path) is not None
    if request.method == "GET" and by_id and "excludedAttributes" in str(request.url.query):
        return _error(400, "excludedAttributes is not supported here", "invalidSyntax")
    return send(request)


def test_restart_readback_fails_when_entra_cannot_read_the_linked_group_by_id() -> None:
    report = run(excluded_attributes_by_id_refused, dialect="default")
    found = outcomes(report)
    assert found["ENTRA-FLOW-RESTART-READBACK [default]"] == "failed"
    # Of the flow, only the Restart reads a group by id with excludedAttributes; the RFC
    # check of excludedAttributes sees the same defect.
    assert {k: v for k, v in found.items() if v != "passed"} == {
        "ENTRA-FLOW-RESTART-READBACK [default]": "failed",
        "RFC7644-3.9-EXCLUDED-MEMBERS": "failed",
    }
    [row] = [c for c in report["shapeCatalogue"] if c["shape"].startswith("GET /Groups/{id}")]
    assert row["exercised"]


def drift_ignored(request: httpx.Request, send: Send) -> httpx.Response:
    """A server that answers 200 to the check's change behind Entra's back (by PATCH or
    PUT) and stores nothing: the Restart check has no drift to see repaired."""
    body = _json(request) if request.method in ("PATCH", "PUT") else None
    if request.method == "PUT" and "Changed outside Entra" in json.dumps(body):
        return _scim(200, body)
    if isinstance(body, dict) and any(
        isinstance(op, dict)
        and (
            op.get("value") == "Changed outside Entra" or str(op.get("value")).endswith("-drifted")
        )
        for op in body.get("Operations", [])
    ):
        return _scim(200, {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]})
    return send(request)


def test_restart_readback_without_drift_is_not_established_never_passed() -> None:
    found = outcomes(run(drift_ignored, dialect="aadOptscim062020"))
    assert found["ENTRA-FLOW-RESTART-READBACK [aadOptscim062020]"] == "not established"


def roles_dropped(request: httpx.Request, send: Send) -> httpx.Response:
    """A server that serves roles in its User schema but keeps none: POST and PATCH
    answer as usual with the roles left out."""
    body = _json(request)
    if request.method == "POST" and isinstance(body, dict) and body.get("roles"):
        body = {**body, "roles": []}
    elif request.method == "PATCH" and isinstance(body, dict):
        operations = [
            op
            for op in body.get("Operations", [])
            if not (isinstance(op, dict) and str(op.get("path", "")).lower().startswith("roles"))
        ]
        if not operations:
            return httpx.Response(204)
        body = {**body, "Operations": operations}
    else:
        return send(request)
    return send(_rebuilt(request, body=body))


def test_app_roles_fail_on_a_server_that_keeps_no_roles_in_both_dialects() -> None:
    found = outcomes(run(roles_dropped))
    assert found["ENTRA-FLOW-APP-ROLES [default]"] == "failed"
    assert found["ENTRA-FLOW-APP-ROLES [aadOptscim062020]"] == "failed"


def no_roles_in_schema(request: httpx.Request, send: Send) -> httpx.Response:
    """A server whose User schema (RFC 7643 §7) serves no roles attribute."""
    response = send(request)
    if request.method == "GET" and "/Schemas" in request.url.path:
        body = response.json()

        def strip(schema: Any) -> Any:
            if isinstance(schema, dict) and isinstance(schema.get("attributes"), list):
                kept = [a for a in schema["attributes"] if a.get("name") != "roles"]
                return {**schema, "attributes": kept}
            return schema

        if isinstance(body, dict) and isinstance(body.get("Resources"), list):
            body = {**body, "Resources": [strip(s) for s in body["Resources"]]}
        return _scim(response.status_code, strip(body))
    return response


def test_app_roles_do_not_apply_where_the_user_schema_serves_no_roles() -> None:
    report = run(no_roles_in_schema, dialect="default")
    [row] = [r for r in report["results"] if r["id"] == "ENTRA-FLOW-APP-ROLES"]
    assert row["outcome"] == "skipped" and "roles" in row["message"]
    assert report["verdict"]["exitCode"] == 0
