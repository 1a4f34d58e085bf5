"""The Graph routes: HTTP in, a :class:`GraphService` call, Graph JSON out.

Served under ``/v1.0`` and, aliased, ``/beta`` [reference A.1], plus the clock side channel
under ``/_provisim`` (outside Graph's namespace; real clients never call it). Every call
needs ``Authorization: Bearer`` and acts as the token's holder (``GraphSettings.caller_role``).
Routes only translate: they read the path, the query and
the body, call the service under its lock, and render the result or the OData error.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from fake_entra.applications import EnterpriseApplication
from fake_entra.engine import ProvisioningJob
from fake_entra.graph.applications import (
    ASSIGNMENT_COLLECTION,
    SERVICE_PRINCIPAL_COLLECTION,
    TEMPLATE_COLLECTION,
    assignment_json,
    template_json,
)
from fake_entra.graph.bodies import json_object
from fake_entra.graph.directory_audits import (
    DIRECTORY_AUDIT_COLLECTION,
    audit_entries,
    audit_entry,
)
from fake_entra.graph.directory_objects import (
    GROUP_COLLECTION,
    MEMBER_COLLECTION,
    USER_COLLECTION,
    group_json,
    user_json,
)
from fake_entra.graph.errors import GraphError, InnerError, unauthorized
from fake_entra.graph.odata import CollectionOptions, parse_select, query_collection, select
from fake_entra.graph.provisioning_logs import LOG_COLLECTION, log_entries, log_entry
from fake_entra.graph.service import GraphService

GRAPH_ROOT = "https://graph.microsoft.com"
JSON = "application/json"


@dataclass
class Call:
    """One request, as the handlers see it."""

    service: GraphService
    params: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes
    url: str
    version: str

    def context(self, fragment: str) -> str:
        return f"{GRAPH_ROOT}/{self.version}/$metadata#{fragment}"


@dataclass
class Reply:
    status: int = 204
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Call], Reply]


def entity(
    call: Call,
    fragment: str,
    item: dict[str, Any],
    status: int = 200,
    options: CollectionOptions | None = None,
) -> Reply:
    fields = parse_select(call.query.get("$select"), options.selectable) if options else None
    return Reply(status, {"@odata.context": call.context(fragment), **select(item, fields)})


def collection(
    call: Call, fragment: str, items: list[dict[str, Any]], options: CollectionOptions
) -> Reply:
    settings = call.service.settings
    page = query_collection(
        items,
        call.query,
        options,
        default_page_size=settings.default_page_size,
        max_page_size=settings.max_page_size,
    )
    body: dict[str, Any] = {"@odata.context": call.context(fragment), "value": page.items}
    if page.next_skiptoken is not None:
        query = {k: v for k, v in call.query.items() if k != "$skiptoken"}
        query["$skiptoken"] = page.next_skiptoken
        body["@odata.nextLink"] = f"{call.url.split('?', 1)[0]}?{urlencode(query, safe='$')}"
    return Reply(200, body)


# --- handlers, by resource ------------------------------------------------------------------


def list_templates(call: Call) -> Reply:
    return collection(
        call, "applicationTemplates", call.service.applications.templates(), TEMPLATE_COLLECTION
    )


def get_template(call: Call) -> Reply:
    template = call.service.applications.template(call.params["template_id"])
    return entity(call, "applicationTemplates/$entity", template_json(template))


def instantiate(call: Call) -> Reply:
    apps = call.service.applications
    app = apps.instantiate(call.params["template_id"], json_object(call.body))
    return Reply(
        201,
        {
            "@odata.context": call.context("microsoft.graph.applicationServicePrincipal"),
            "application": apps.application_json(app),
            "servicePrincipal": apps.service_principal_json(app),
        },
    )


def list_service_principals(call: Call) -> Reply:
    apps = call.service.applications
    return collection(
        call,
        "servicePrincipals",
        [apps.service_principal_json(a) for a in apps.service_principals()],
        SERVICE_PRINCIPAL_COLLECTION,
    )


def _sp(call: Call) -> EnterpriseApplication:
    apps = call.service.applications
    if "app_id" in call.params:
        return apps.by_app_id(call.params["app_id"])
    if "application_id" in call.params:
        return apps.by_application_id(call.params["application_id"])
    return apps.service_principal(call.params["sp_id"])


def get_service_principal(call: Call) -> Reply:
    return entity(
        call,
        "servicePrincipals/$entity",
        call.service.applications.service_principal_json(_sp(call)),
        options=SERVICE_PRINCIPAL_COLLECTION,
    )


def list_assignments(call: Call) -> Reply:
    app = _sp(call)
    return collection(
        call,
        f"servicePrincipals('{app.object_id}')/appRoleAssignedTo",
        call.service.applications.assignments(app),
        ASSIGNMENT_COLLECTION,
    )


def assign(call: Call) -> Reply:
    app = _sp(call)
    assignment = call.service.applications.assign(app, json_object(call.body))
    return entity(
        call,
        f"servicePrincipals('{app.object_id}')/appRoleAssignedTo/$entity",
        assignment_json(assignment),
        201,
    )


def assign_to_user(call: Call) -> Reply:
    """``POST /users/{id}/appRoleAssignments``: the same assignment, from the user's side."""
    service = call.service
    user = service.directory.user(call.params["user_id"])
    body = json_object(call.body)
    if str(body.get("principalId", "")).lower() != user.object_id:
        raise GraphError(
            400, "Request_BadRequest", "principalId must be the user the assignment is posted to."
        )
    app = service.applications.service_principal(str(body.get("resourceId", "")))
    assignment = service.applications.assign(app, body)
    return entity(
        call,
        f"users('{user.object_id}')/appRoleAssignments/$entity",
        assignment_json(assignment),
        201,
    )


def list_user_assignments(call: Call) -> Reply:
    service = call.service
    user = service.directory.user(call.params["user_id"])
    items = [
        assignment_json(a)
        for app in service.applications.service_principals()
        for a in app.assignments_of(user.object_id)
    ]
    return collection(
        call, f"users('{user.object_id}')/appRoleAssignments", items, ASSIGNMENT_COLLECTION
    )


def unassign(call: Call) -> Reply:
    call.service.applications.unassign(_sp(call), call.params["assignment_id"])
    return Reply()


# synchronization


def _job(call: Call) -> ProvisioningJob:
    return call.service.synchronization.job(_sp(call), call.params["job_id"])


def list_sync_templates(call: Call) -> Reply:
    app = _sp(call)
    owner = (
        f"applications('{call.params['application_id'].lower()}')"
        if "application_id" in call.params
        else f"servicePrincipals('{app.object_id}')"
    )
    return collection(
        call,
        f"{owner}/synchronization/templates",
        call.service.synchronization.templates(app),
        CollectionOptions(pageable=False),
    )


def get_template_schema(call: Call) -> Reply:
    app = _sp(call)
    schema = call.service.synchronization.template_schema(app, call.params["sync_template_id"])
    return entity(
        call,
        f"servicePrincipals('{app.object_id}')/synchronization/templates"
        f"('{call.params['sync_template_id']}')/schema/$entity",
        schema,
    )


def list_jobs(call: Call) -> Reply:
    app = _sp(call)
    sync = call.service.synchronization
    return collection(
        call,
        f"servicePrincipals('{app.object_id}')/synchronization/jobs",
        [sync.job_json(job) for job in sync.jobs(app)],
        CollectionOptions(pageable=False),
    )


def create_job(call: Call) -> Reply:
    app = _sp(call)
    sync = call.service.synchronization
    job = sync.create_job(app, call.body)
    # The docs' text says 201 Created (their example says 200) [G …post-jobs.md].
    return entity(
        call,
        f"servicePrincipals('{app.object_id}')/synchronization/jobs/$entity",
        sync.job_json(job),
        201,
    )


def get_job(call: Call) -> Reply:
    app = _sp(call)
    return entity(
        call,
        f"servicePrincipals('{app.object_id}')/synchronization/jobs/$entity",
        call.service.synchronization.job_json(_job(call)),
    )


def delete_job(call: Call) -> Reply:
    call.service.synchronization.delete_job(_sp(call), call.params["job_id"])
    return Reply()


def validate_credentials(call: Call) -> Reply:
    call.service.synchronization.validate_credentials(_job(call), call.body)
    return Reply()


def start_job(call: Call) -> Reply:
    call.service.synchronization.start(_job(call))
    return Reply()


def pause_job(call: Call) -> Reply:
    call.service.synchronization.pause(_job(call))
    return Reply()


def restart_job(call: Call) -> Reply:
    call.service.synchronization.restart(_job(call), call.body)
    return Reply()


def provision_on_demand(call: Call) -> Reply:
    pair = call.service.synchronization.provision_on_demand(_job(call), call.body)
    return entity(call, "microsoft.graph.stringKeyStringValuePair", dict(pair))


def get_job_schema(call: Call) -> Reply:
    app = _sp(call)
    job = _job(call)
    return entity(
        call,
        f"servicePrincipals('{app.object_id}')/synchronization/jobs('{job.job_id}')/schema/$entity",
        call.service.synchronization.schema(job),
    )


def put_job_schema(call: Call) -> Reply:
    call.service.synchronization.put_schema(_job(call), call.body)
    return Reply()


def parse_expression(call: Call) -> Reply:
    if "job_id" in call.params:
        _job(call)
    else:
        call.service.synchronization.template_schema(_sp(call), call.params["sync_template_id"])
    result = call.service.synchronization.parse_expression(call.body)
    return entity(call, "microsoft.graph.parseExpressionResponse", result)


def put_secrets(call: Call) -> Reply:
    call.service.synchronization.put_secrets(_sp(call), call.body)
    return Reply()


def get_secrets(call: Call) -> Reply:
    if call.version != "beta":
        # [reference A.2 #9b]: documented in beta only; v1.0 has PUT alone.
        raise GraphError(
            405, "Request_BadRequest", "GET on synchronization/secrets is available on /beta only."
        )
    app = _sp(call)
    return Reply(
        200,
        {
            "@odata.context": call.context(
                f"servicePrincipals('{app.object_id}')/synchronization/secrets"
            ),
            "value": call.service.synchronization.secrets(app),
        },
    )


# directory


def list_users(call: Call) -> Reply:
    return collection(call, "users", call.service.directory.users(), USER_COLLECTION)


def create_user(call: Call) -> Reply:
    user = call.service.directory.create_user(json_object(call.body))
    return entity(call, "users/$entity", user_json(user, full=True), 201)


def get_user(call: Call) -> Reply:
    user = call.service.directory.user(call.params["user_id"])
    full = "$select" in call.query
    return entity(
        call, "users/$entity", user_json(user, full=full), options=USER_COLLECTION if full else None
    )


def update_user(call: Call) -> Reply:
    call.service.directory.update_user(call.params["user_id"], json_object(call.body))
    return Reply()


def delete_user(call: Call) -> Reply:
    call.service.directory.delete_user(call.params["user_id"])
    return Reply()


def list_groups(call: Call) -> Reply:
    return collection(call, "groups", call.service.directory.groups(), GROUP_COLLECTION)


def create_group(call: Call) -> Reply:
    group = call.service.directory.create_group(json_object(call.body))
    return entity(call, "groups/$entity", group_json(group), 201)


def get_group(call: Call) -> Reply:
    group = call.service.directory.group(call.params["group_id"])
    return entity(call, "groups/$entity", group_json(group), options=GROUP_COLLECTION)


def update_group(call: Call) -> Reply:
    call.service.directory.update_group(call.params["group_id"], json_object(call.body))
    return Reply()


def delete_group(call: Call) -> Reply:
    call.service.directory.delete_group(call.params["group_id"])
    return Reply()


def list_members(call: Call) -> Reply:
    return collection(
        call,
        "directoryObjects",
        call.service.directory.members(call.params["group_id"]),
        MEMBER_COLLECTION,
    )


def add_member(call: Call) -> Reply:
    call.service.directory.add_member(call.params["group_id"], json_object(call.body))
    return Reply()


def remove_member(call: Call) -> Reply:
    call.service.directory.remove_member(call.params["group_id"], call.params["member_id"])
    return Reply()


# audit logs


def list_provisioning_logs(call: Call) -> Reply:
    service = call.service
    entries = log_entries(
        service.synchronization.all_jobs(), newest_first=service.settings.logs_newest_first
    )
    return collection(call, "auditLogs/provisioning", entries, LOG_COLLECTION)


def get_provisioning_log(call: Call) -> Reply:
    entry = log_entry(call.service.synchronization.all_jobs(), call.params["entry_id"])
    return entity(call, "auditLogs/provisioning/$entity", entry)


def list_directory_audits(call: Call) -> Reply:
    service = call.service
    service.authorize_audit_read()
    entries = audit_entries(
        service.synchronization.all_jobs(), newest_first=service.settings.audits_newest_first
    )
    return collection(call, "auditLogs/directoryAudits", entries, DIRECTORY_AUDIT_COLLECTION)


def get_directory_audit(call: Call) -> Reply:
    call.service.authorize_audit_read()
    entry = audit_entry(call.service.synchronization.all_jobs(), call.params["entry_id"])
    return entity(
        call, "auditLogs/directoryAudits/$entity", entry, options=DIRECTORY_AUDIT_COLLECTION
    )


# the clock side channel


def get_clock(call: Call) -> Reply:
    return Reply(200, call.service.clock_json())


def advance_clock(call: Call) -> Reply:
    return Reply(200, call.service.advance_clock(call.body))


# --- routing ----------------------------------------------------------------------------------

_SP = "/servicePrincipals/{sp_id}"
_SP_BY_APP_ID = "/servicePrincipals(appId='{app_id}')"
_JOB = "/synchronization/jobs/{job_id}"

GRAPH_ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/applicationTemplates", list_templates),
    ("GET", "/applicationTemplates/{template_id}", get_template),
    ("POST", "/applicationTemplates/{template_id}/instantiate", instantiate),
    ("GET", "/servicePrincipals", list_service_principals),
    ("GET", _SP_BY_APP_ID, get_service_principal),
    ("GET", _SP_BY_APP_ID + "/appRoleAssignedTo", list_assignments),
    ("POST", _SP_BY_APP_ID + "/appRoleAssignedTo", assign),
    ("GET", _SP, get_service_principal),
    ("GET", _SP + "/appRoleAssignedTo", list_assignments),
    ("POST", _SP + "/appRoleAssignedTo", assign),
    ("DELETE", _SP + "/appRoleAssignedTo/{assignment_id}", unassign),
    ("GET", _SP + "/synchronization/templates", list_sync_templates),
    # [G synchronization-synchronization-list-templates.md]: also from the application.
    ("GET", "/applications/{application_id}/synchronization/templates", list_sync_templates),
    ("GET", _SP + "/synchronization/templates/{sync_template_id}/schema", get_template_schema),
    (
        "POST",
        _SP + "/synchronization/templates/{sync_template_id}/schema/parseExpression",
        parse_expression,
    ),
    ("GET", _SP + "/synchronization/jobs", list_jobs),
    ("POST", _SP + "/synchronization/jobs", create_job),
    ("GET", _SP + _JOB, get_job),
    ("DELETE", _SP + _JOB, delete_job),
    ("POST", _SP + _JOB + "/validateCredentials", validate_credentials),
    ("POST", _SP + _JOB + "/start", start_job),
    ("POST", _SP + _JOB + "/pause", pause_job),
    ("POST", _SP + _JOB + "/restart", restart_job),
    ("POST", _SP + _JOB + "/provisionOnDemand", provision_on_demand),
    ("GET", _SP + _JOB + "/schema", get_job_schema),
    ("PUT", _SP + _JOB + "/schema", put_job_schema),
    ("POST", _SP + _JOB + "/schema/parseExpression", parse_expression),
    ("PUT", _SP + "/synchronization/secrets", put_secrets),
    ("GET", _SP + "/synchronization/secrets", get_secrets),
    ("GET", "/users", list_users),
    ("POST", "/users", create_user),
    ("GET", "/users/{user_id}", get_user),
    ("PATCH", "/users/{user_id}", update_user),
    ("DELETE", "/users/{user_id}", delete_user),
    ("GET", "/users/{user_id}/appRoleAssignments", list_user_assignments),
    ("POST", "/users/{user_id}/appRoleAssignments", assign_to_user),
    ("GET", "/groups", list_groups),
    ("POST", "/groups", create_group),
    ("GET", "/groups/{group_id}", get_group),
    ("PATCH", "/groups/{group_id}", update_group),
    ("DELETE", "/groups/{group_id}", delete_group),
    ("GET", "/groups/{group_id}/members", list_members),
    ("POST", "/groups/{group_id}/members/$ref", add_member),
    ("DELETE", "/groups/{group_id}/members/{member_id}/$ref", remove_member),
    ("GET", "/auditLogs/provisioning", list_provisioning_logs),
    ("GET", "/auditLogs/provisioning/{entry_id}", get_provisioning_log),
    ("GET", "/auditLogs/directoryAudits", list_directory_audits),
    ("GET", "/auditLogs/directoryAudits/{entry_id}", get_directory_audit),
]
ADMIN_ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/clock", get_clock),
    ("POST", "/clock/advance", advance_clock),
]
#: The side channel's prefix: outside Graph's namespace, never called by real SDKs.
ADMIN_PREFIX = "/_provisim"


class GraphApp:
    """The ASGI app: one dispatcher for every route, the bearer check and OData errors."""

    def __init__(self, service: GraphService) -> None:
        self.service = service
        self._app = Starlette(routes=self._routes())
        self._app.add_exception_handler(HTTPException, self._http_exception)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self._app(scope, receive, send)

    def _routes(self) -> list[BaseRoute]:
        def group(table: list[tuple[str, str, Handler]]) -> list[BaseRoute]:
            by_path: dict[str, dict[str, Handler]] = {}
            for method, path, handler in table:
                by_path.setdefault(path, {})[method] = handler
            return [
                Route(path, self._endpoint(handlers), methods=list(handlers))
                for path, handlers in by_path.items()
            ]

        graph = group(GRAPH_ROUTES)
        return [
            Mount("/v1.0", routes=graph),
            Mount("/beta", routes=graph),
            Mount(ADMIN_PREFIX, routes=group(ADMIN_ROUTES)),
        ]

    def _endpoint(self, handlers: dict[str, Handler]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            body = await self._read_body(request)
            if body is None:
                limit = self.service.settings.max_request_bytes
                error = GraphError(
                    413,
                    "RequestEntityTooLarge",
                    f"The request body is larger than {limit} bytes.",
                )
                return await run_in_threadpool(self._refuse, request, error)
            return await run_in_threadpool(self._answer, request, handlers[request.method], body)

        return endpoint

    async def _read_body(self, request: Request) -> bytes | None:
        """The body, or None when it is over the limit (read no further than the limit)."""
        limit = self.service.settings.max_request_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return None
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    def _refuse(self, request: Request, error: GraphError) -> Response:
        with self.service.lock:
            request_id = self.service.request_id()
        return self._error(request, error, request_id)

    def _answer(self, request: Request, handler: Handler, body: bytes) -> Response:
        service = self.service
        with service.lock, service.acting_as_caller():
            request_id = service.request_id()
            try:
                self._authenticate(request)
                call = Call(
                    service,
                    dict(request.path_params),
                    dict(request.query_params),
                    body,
                    str(request.url),
                    request.url.path.split("/")[1],
                )
                reply = handler(call)
            except GraphError as error:
                return self._error(request, error, request_id)
            headers = {
                "request-id": request_id,
                "client-request-id": request.headers.get("client-request-id", request_id),
                **reply.headers,
            }
            if reply.body is None:
                return Response(status_code=reply.status, headers=headers)
            return Response(
                service.mask(json.dumps(reply.body)), reply.status, headers, media_type=JSON
            )

    def _authenticate(self, request: Request) -> None:
        header = request.headers.get("authorization", "")
        if not header and self.service.settings.allow_anonymous:
            return
        scheme, _, token = header.partition(" ")
        if not header or scheme.lower() != "bearer" or not token.strip():
            raise unauthorized("Access token is empty.")
        expected = self.service.settings.token
        if expected is not None and token.strip() != expected:
            raise unauthorized("Access token validation failure. Invalid audience.")

    def _error(self, request: Request, error: GraphError, request_id: str) -> Response:
        inner: InnerError = {
            "date": self.service.now_text(),
            "request-id": request_id,
            "client-request-id": request.headers.get("client-request-id", request_id),
        }
        body = error.to_json(inner)
        body["error"]["message"] = self.service.mask(body["error"]["message"])
        headers = {
            "request-id": request_id,
            "client-request-id": inner["client-request-id"],
            **error.headers,
        }
        return Response(json.dumps(body), error.status, headers, media_type=JSON)

    async def _http_exception(self, request: Request, exc: Exception) -> Response:
        # Routing failures: Graph's words for an unknown segment and a wrong method.
        if isinstance(exc, HTTPException) and exc.status_code == 405:
            error = GraphError(
                405,
                "Request_BadRequest",
                f"The HTTP method '{request.method}' is not allowed on '{request.url.path}'.",
            )
        else:
            segment = request.url.path.rstrip("/").rsplit("/", 1)[-1]
            error = GraphError(
                400, "BadRequest", f"Resource not found for the segment '{segment}'."
            )
        return self._refuse(request, error)


def create_app(service: GraphService) -> GraphApp:
    return GraphApp(service)
