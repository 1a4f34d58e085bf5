"""The Microsoft Entra admin center, as far as the LinkedIn Elevate tutorial goes.

Server-rendered pages (FastAPI and Jinja2, no build step), each a thin client of Microsoft
Graph through :class:`~fake_entra.portal.graph_client.GraphClient`, as Microsoft's own
portal is: sign-in, Identity > Applications > Enterprise applications, the gallery, Users
and groups with the role picker, and (in :mod:`.provisioning`, :mod:`.monitoring`) the
Provisioning pages; :mod:`.simulator` holds the controls that are not part of Entra.

Routes only translate: a form becomes Graph calls, a Graph refusal becomes the portal's
message beside its field; no business rule lives here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from fake_entra.portal import monitoring, provisioning, simulator
from fake_entra.portal.context import (
    SESSION_COOKIE,
    SIGN_IN_ROLES,
    TEMPLATES,
    PortalContext,
    Toast,
    error_toast,
    signed_in,
)
from fake_entra.portal.feed import ExchangeFeed
from fake_entra.portal.graph_client import GraphCallError, GraphClient

#: [E enterprise-apps/assign-user-or-group-access-portal.md]: "Default Access" is the
#: implicit role of an app without app roles; Graph's id for it.
DEFAULT_ACCESS_ROLE_ID = "00000000-0000-0000-0000-000000000000"


def odata_text(value: str) -> str:
    """A string literal inside an OData ``$filter`` (a quote is doubled)."""
    return value.replace("'", "''")


def create_portal(
    graph: GraphClient,
    *,
    feed: ExchangeFeed | None = None,
    links: dict[str, str] | None = None,
) -> FastAPI:
    """The portal's ASGI app over ``graph``; ``feed`` streams SCIM exchanges to the
    simulator panel, ``links`` names the other faces served beside it."""
    app = FastAPI(title="Microsoft Entra admin center (provisim)", docs_url=None, redoc_url=None)
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.filters["unquote"] = unquote
    ctx = PortalContext(graph, templates, feed, links if links is not None else {})
    app.state.portal = ctx
    app.mount("/static", StaticFiles(packages=[("fake_entra.portal", "static")]), name="static")

    @app.get("/", include_in_schema=False)
    async def root(request: Request) -> Response:
        return signed_in(request) or RedirectResponse("/home", status_code=303)

    @app.get("/signin", response_class=HTMLResponse)
    async def sign_in_page(request: Request) -> Response:
        return ctx.render(request, "signin.html", roles=SIGN_IN_ROLES)

    @app.post("/signin")
    async def sign_in(request: Request, account: str = Form(""), role: str = Form("")) -> Response:
        if not account.strip() or role not in SIGN_IN_ROLES:
            return ctx.render(
                request,
                "signin.html",
                roles=SIGN_IN_ROLES,
                errors={"account": "Enter your account." if not account.strip() else ""},
                status_code=400,
            )
        response = RedirectResponse("/home", status_code=303)
        response.set_cookie(
            SESSION_COOKIE, quote(f"{account.strip()} ({role})"), httponly=True, samesite="strict"
        )
        return response

    @app.get("/home", response_class=HTMLResponse)
    async def home(request: Request) -> Response:
        return signed_in(request) or ctx.render(request, "home.html")

    @app.get("/enterpriseApps", response_class=HTMLResponse)
    async def enterprise_apps(request: Request) -> Response:
        if (redirect := signed_in(request)) is not None:
            return redirect
        apps = await graph.values("/servicePrincipals")
        return ctx.render(request, "enterprise_apps.html", apps=apps)

    @app.get("/enterpriseApps/gallery", response_class=HTMLResponse)
    async def gallery(request: Request, q: str = "") -> Response:
        if (redirect := signed_in(request)) is not None:
            return redirect
        params: dict[str, str] = {"$orderby": "displayName"}
        if q.strip():
            params["$filter"] = f"contains(displayName,'{odata_text(q.strip())}')"
        templates_found = await graph.values("/applicationTemplates", **params)
        return ctx.render(request, "gallery.html", query=q, found=templates_found)

    @app.get("/enterpriseApps/gallery/{template_id}", response_class=HTMLResponse)
    async def gallery_app(request: Request, template_id: str) -> Response:
        if (redirect := signed_in(request)) is not None:
            return redirect
        template = await graph.get(f"/applicationTemplates/{quote(template_id)}")
        return ctx.render(
            request, "gallery_app.html", template=template, name=template["displayName"]
        )

    @app.post("/enterpriseApps/gallery/{template_id}", response_class=HTMLResponse)
    async def add_from_gallery(
        request: Request, template_id: str, name: str = Form("")
    ) -> Response:
        if (redirect := signed_in(request)) is not None:
            return redirect
        template = await graph.get(f"/applicationTemplates/{quote(template_id)}")
        try:
            created = await graph.post(
                f"/applicationTemplates/{quote(template_id)}/instantiate", {"displayName": name}
            )
        except GraphCallError as error:
            return ctx.render(
                request,
                "gallery_app.html",
                template=template,
                name=name,
                errors={"name": error.message},
                toast=error_toast(error, "Adding the application failed"),
                status_code=400,
            )
        sp = created["servicePrincipal"]
        return await app_overview_page(
            request,
            sp["id"],
            Toast("Application added", f"{sp['displayName']} was added successfully."),
        )

    async def app_overview_page(
        request: Request, sp_id: str, toast: Toast | None = None
    ) -> Response:
        sp = await graph.get(f"/servicePrincipals/{quote(sp_id)}")
        return ctx.render(request, "app_overview.html", sp=sp, section="overview", toast=toast)

    @app.get("/apps/{sp_id}", response_class=HTMLResponse)
    async def app_overview(request: Request, sp_id: str) -> Response:
        return signed_in(request) or await app_overview_page(request, sp_id)

    # -- Users and groups ------------------------------------------------------------------

    async def assignment_rows(sp: dict[str, Any]) -> list[dict[str, Any]]:
        roles = {r["id"]: r["displayName"] for r in sp.get("appRoles", [])}
        roles[DEFAULT_ACCESS_ROLE_ID] = "Default Access"
        rows = await graph.values(f"/servicePrincipals/{sp['id']}/appRoleAssignedTo")
        return [{**row, "roleName": roles.get(row["appRoleId"], row["appRoleId"])} for row in rows]

    @app.get("/apps/{sp_id}/users", response_class=HTMLResponse)
    async def users_and_groups(request: Request, sp_id: str) -> Response:
        if (redirect := signed_in(request)) is not None:
            return redirect
        sp = await graph.get(f"/servicePrincipals/{quote(sp_id)}")
        return ctx.render(
            request, "users_and_groups.html", sp=sp, section="users", rows=await assignment_rows(sp)
        )

    async def add_assignment_page(
        request: Request,
        sp: dict[str, Any],
        *,
        errors: dict[str, str] | None = None,
        toast: Toast | None = None,
        status_code: int = 200,
    ) -> Response:
        # GET /users takes no $orderby here: the page sorts by name.
        users = sorted(await graph.values("/users"), key=lambda u: str(u.get("displayName")))
        groups = await graph.values("/groups")
        roles = [
            {"id": r["id"], "displayName": r["displayName"], "description": r.get("description")}
            for r in sp.get("appRoles", [])
        ]
        roles.append(
            {
                "id": DEFAULT_ACCESS_ROLE_ID,
                "displayName": "Default Access",
                "description": "Not provisioned: the tutorial asks for the User role.",
            }
        )
        return ctx.render(
            request,
            "add_assignment.html",
            sp=sp,
            section="users",
            users=users,
            groups=groups,
            roles=roles,
            errors=errors or {},
            toast=toast,
            status_code=status_code,
        )

    @app.get("/apps/{sp_id}/users/add", response_class=HTMLResponse)
    async def add_assignment_form(request: Request, sp_id: str) -> Response:
        if (redirect := signed_in(request)) is not None:
            return redirect
        sp = await graph.get(f"/servicePrincipals/{quote(sp_id)}")
        return await add_assignment_page(request, sp)

    @app.post("/apps/{sp_id}/users/add", response_class=HTMLResponse)
    async def add_assignment(request: Request, sp_id: str) -> Response:
        if (redirect := signed_in(request)) is not None:
            return redirect
        sp = await graph.get(f"/servicePrincipals/{quote(sp_id)}")
        form = await request.form()
        principals = [str(v) for v in form.getlist("principal")]
        role = str(form.get("role", ""))
        errors: dict[str, str] = {}
        if not principals:
            errors["principal"] = "Select at least one user or group."
        if not role:
            errors["role"] = "Select a role."
        if errors:
            return await add_assignment_page(request, sp, errors=errors, status_code=400)
        assigned: list[str] = []
        for principal in principals:
            try:
                made = await graph.post(
                    f"/servicePrincipals/{sp['id']}/appRoleAssignedTo",
                    {"principalId": principal, "resourceId": sp["id"], "appRoleId": role},
                )
            except GraphCallError as error:
                return await add_assignment_page(
                    request,
                    sp,
                    errors={"principal": error.message},
                    toast=error_toast(error, "Assignment failed"),
                    status_code=400,
                )
            assigned.append(made["principalDisplayName"])
        return ctx.render(
            request,
            "users_and_groups.html",
            sp=sp,
            section="users",
            rows=await assignment_rows(sp),
            toast=Toast(
                "Assignment succeeded",
                f"{len(assigned)} assignment(s) added: {', '.join(assigned)}.",
            ),
        )

    provisioning.register(app, ctx)
    monitoring.register(app, ctx)
    simulator.register(app, ctx)

    @app.exception_handler(GraphCallError)
    async def graph_refused(request: Request, error: GraphCallError) -> Response:
        return ctx.render(
            request,
            "error.html",
            error=error,
            toast=error_toast(error, "Microsoft Graph refused the request"),
            status_code=error.status if error.status >= 400 else 500,
        )

    return app
