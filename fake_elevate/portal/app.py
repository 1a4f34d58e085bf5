"""The Account Center pages (linkedin-scim.md §6 steps 1-6, §2, §3), server-rendered.

Sign in > Admin > Admin Settings > Advanced Integrations (left sidebar) > SCIM Setup:
"+ Add new SCIM configuration" with each field the tutorial names (auto-assign licenses,
application instance, license type), then "Generate token": the token is shown once, under
"Access token", with a copy button; generating again revokes the old one. Licences shows
the pools with their seat use, Users the users with their licence state. Each action is a
call on the Account Center admin API through :class:`AccountCenterClient`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from fake_elevate.portal.client import AccountCenterCallError, AccountCenterClient
from fake_elevate.portal.faults import SwitchableFaults

#: Where the pages live on Fake Elevate's host (its SCIM service keeps the other paths).
PORTAL_PREFIX = "/accountcenter"
SESSION_COOKIE = "account_center_admin"
TEMPLATES = Path(__file__).parent / "templates"


def create_account_center_portal(
    client: AccountCenterClient, *, faults: SwitchableFaults | None = None
) -> FastAPI:
    """The pages, to be served under :data:`PORTAL_PREFIX` (they link there)."""
    app = FastAPI(title="LinkedIn Account Center (provisim)", docs_url=None, redoc_url=None)
    templates = Jinja2Templates(directory=str(TEMPLATES))
    app.mount("/static", StaticFiles(packages=[("fake_elevate.portal", "static")]), name="static")
    base = PORTAL_PREFIX

    def render(
        request: Request,
        name: str,
        *,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
        **values: Any,
    ) -> HTMLResponse:
        return templates.TemplateResponse(
            request,
            name,
            {
                "base": base,
                "admin": request.cookies.get(SESSION_COOKIE),
                "has_faults": faults is not None,
                **values,
            },
            status_code=status_code,
            headers=headers,
        )

    def need_sign_in(request: Request) -> Response | None:
        if request.cookies.get(SESSION_COOKIE):
            return None
        return RedirectResponse(f"{base}/signin", status_code=303)

    @app.get("/", include_in_schema=False)
    async def root(request: Request) -> Response:
        return need_sign_in(request) or RedirectResponse(f"{base}/home", status_code=303)

    @app.get("/signin", response_class=HTMLResponse)
    async def sign_in_page(request: Request) -> Response:
        return render(request, "signin.html", errors={})

    @app.post("/signin")
    async def sign_in(request: Request, email: str = Form("")) -> Response:
        if "@" not in email:
            return render(
                request,
                "signin.html",
                errors={"email": "Enter the email address of an Account Center admin."},
                status_code=400,
            )
        response = RedirectResponse(f"{base}/home", status_code=303)
        response.set_cookie(SESSION_COOKIE, quote(email.strip()), httponly=True, samesite="strict")
        return response

    @app.get("/home", response_class=HTMLResponse)
    async def home(request: Request) -> Response:
        return need_sign_in(request) or render(request, "home.html")

    @app.get("/admin/settings", response_class=HTMLResponse)
    async def admin_settings(request: Request) -> Response:
        return need_sign_in(request) or render(request, "admin_settings.html", section="global")

    async def integrations(
        request: Request,
        *,
        adding: bool = False,
        form: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        token: dict[str, Any] | None = None,
        notice: str | None = None,
        status_code: int = 200,
    ) -> Response:
        return render(
            request,
            "advanced_integrations.html",
            section="advanced",
            configurations=await client.configurations(),
            adding=adding,
            form=form
            or {
                "name": "",
                "auto_assign": True,
                "application_instance": "LinkedIn Elevate",
                "license_type": "Elevate",
            },
            errors=errors or {},
            token=token,
            notice=notice,
            status_code=status_code,
            # The one page that shows a token: never cached.
            headers={"Cache-Control": "no-store"} if token else None,
        )

    @app.get("/admin/settings/advanced-integrations", response_class=HTMLResponse)
    async def advanced_integrations(request: Request, add: bool = False) -> Response:
        return need_sign_in(request) or await integrations(request, adding=add)

    @app.post("/admin/settings/advanced-integrations", response_class=HTMLResponse)
    async def add_configuration(
        request: Request,
        name: str = Form(""),
        auto_assign: str = Form(""),
        application_instance: str = Form(""),
        license_type: str = Form(""),
    ) -> Response:
        if (redirect := need_sign_in(request)) is not None:
            return redirect
        form = {
            "name": name,
            "auto_assign": auto_assign == "on",
            "application_instance": application_instance,
            "license_type": license_type,
        }
        errors = {
            key: message
            for key, value, message in (
                ("name", name, "Enter a name for the SCIM configuration."),
                ("application_instance", application_instance, "Enter the application instance."),
                ("license_type", license_type, "Enter the license type."),
            )
            if not value.strip()
        }
        if errors:
            return await integrations(
                request, adding=True, form=form, errors=errors, status_code=400
            )
        try:
            await client.call(
                "POST",
                "/scim-configurations",
                {
                    "name": name.strip(),
                    "autoAssignLicenses": auto_assign == "on",
                    "applicationInstance": application_instance.strip(),
                    "licenseType": license_type.strip(),
                },
            )
        except AccountCenterCallError as error:
            return await integrations(
                request, adding=True, form=form, errors={"name": error.detail}, status_code=400
            )
        return await integrations(
            request, notice=f"SCIM configuration “{name.strip()}” added. Generate its token next."
        )

    @app.post(
        "/admin/settings/advanced-integrations/{config_id}/token", response_class=HTMLResponse
    )
    async def generate_token(request: Request, config_id: str) -> Response:
        if (redirect := need_sign_in(request)) is not None:
            return redirect
        before = await client.call("GET", f"/scim-configurations/{quote(config_id)}")
        made = await client.call("POST", f"/scim-configurations/{quote(config_id)}/token")
        return await integrations(
            request,
            token={
                "config": before,
                "value": made["accessToken"],
                "expires": made["expires"],
                "replaced": before["hasToken"],
            },
        )

    @app.post(
        "/admin/settings/advanced-integrations/{config_id}/remove", response_class=HTMLResponse
    )
    async def remove_configuration(request: Request, config_id: str) -> Response:
        if (redirect := need_sign_in(request)) is not None:
            return redirect
        await client.call("DELETE", f"/scim-configurations/{quote(config_id)}")
        return await integrations(
            request, notice="SCIM configuration removed: its token no longer works."
        )

    async def licenses_page(
        request: Request,
        *,
        errors: dict[str, str] | None = None,
        notice: str | None = None,
        status_code: int = 200,
    ) -> Response:
        return render(
            request,
            "licenses.html",
            section="licenses",
            pools=await client.pools(),
            errors=errors or {},
            notice=notice,
            status_code=status_code,
        )

    @app.get("/admin/licenses", response_class=HTMLResponse)
    async def licenses(request: Request) -> Response:
        return need_sign_in(request) or await licenses_page(request)

    @app.post("/admin/licenses", response_class=HTMLResponse)
    async def set_seats(
        request: Request,
        application_instance: str = Form(""),
        license_type: str = Form(""),
        seats: str = Form(""),
    ) -> Response:
        if (redirect := need_sign_in(request)) is not None:
            return redirect
        if not seats.strip().isdigit():
            return await licenses_page(
                request, errors={"seats": "Enter a whole number of seats."}, status_code=400
            )
        try:
            await client.call(
                "PUT",
                "/license-pools",
                {
                    "applicationInstance": application_instance,
                    "licenseType": license_type,
                    "seats": int(seats),
                },
            )
        except AccountCenterCallError as error:
            return await licenses_page(request, errors={"seats": error.detail}, status_code=400)
        return await licenses_page(request, notice="Seats saved.")

    @app.get("/admin/users", response_class=HTMLResponse)
    async def users(request: Request) -> Response:
        return need_sign_in(request) or render(
            request, "users.html", section="users", users=await client.users()
        )

    @app.get("/simulator", response_class=HTMLResponse)
    async def simulator(request: Request) -> Response:
        if (redirect := need_sign_in(request)) is not None:
            return redirect
        return render(request, "simulator.html", faults=faults, notice=None, errors={})

    @app.post("/simulator", response_class=HTMLResponse)
    async def switch_faults(request: Request) -> Response:
        if (redirect := need_sign_in(request)) is not None:
            return redirect
        if faults is None:
            return render(
                request, "simulator.html", faults=None, notice=None, errors={}, status_code=404
            )
        chosen = [str(v) for v in (await request.form()).getlist("profile")]
        try:
            faults.switch(chosen)
        except ValueError as error:
            return render(
                request,
                "simulator.html",
                faults=faults,
                notice=None,
                errors={"profile": str(error)},
                status_code=400,
            )
        shown = ", ".join(chosen) or "none"
        return render(
            request,
            "simulator.html",
            faults=faults,
            notice=f"Fault profiles on: {shown}.",
            errors={},
        )

    @app.exception_handler(AccountCenterCallError)
    async def refused(request: Request, error: AccountCenterCallError) -> Response:
        return render(request, "error.html", error=error, status_code=error.status)

    return app
