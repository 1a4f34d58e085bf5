"""What every page of the portal shares: the Graph client, the templates, the toasts and the
typed-but-unsaved form of each Provisioning page."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from fake_entra.portal.feed import ExchangeFeed
from fake_entra.portal.graph_client import GraphCallError, GraphClient

TEMPLATES = Path(__file__).parent / "templates"
#: The cookie that says an admin signed in (loopback only: a fake has no identity platform).
SESSION_COOKIE = "entra_portal_admin"
#: The directory roles the sign-in page offers (linkedin-scim.md §6 step 7: at least Cloud
#: Application Administrator). Graph acts as GraphSettings.caller_role whatever is picked.
SIGN_IN_ROLES = (
    "Cloud Application Administrator",
    "Application Administrator",
    "Global Administrator",
)


@dataclass
class Toast:
    """A notification in the upper right of the portal."""

    title: str
    message: str = ""
    #: "success" (role status) or "error" (role alert).
    kind: str = "success"


@dataclass
class Draft:
    """What an admin typed on a Provisioning page and has not saved. The Secret Token stays
    here, never in a page: a re-rendered form leaves its field empty ("entered")."""

    tenant_url: str = ""
    secret_token: str = ""
    notification_email: str = ""
    send_email: bool = False
    prevent_deletions: bool = True
    threshold: str = "500"
    scope: str = "assigned"
    status_on: bool = False
    touched: bool = False


@dataclass
class PortalContext:
    graph: GraphClient
    templates: Jinja2Templates
    feed: ExchangeFeed | None = None
    #: Links shown on the simulator panel (the Account Center, its fault profiles).
    links: dict[str, str] = field(default_factory=dict)
    drafts: dict[str, Draft] = field(default_factory=dict)
    #: The schema of each job the portal created, as created: what "Restore default
    #: mappings" puts back (this Graph's template schema follows the job's edits).
    default_schemas: dict[str, dict[str, Any]] = field(default_factory=dict)

    def draft(self, sp_id: str) -> Draft:
        return self.drafts.setdefault(sp_id, Draft())

    def render(
        self,
        request: Request,
        template: str,
        /,
        *,
        toast: Toast | None = None,
        status_code: int = 200,
        **values: Any,
    ) -> HTMLResponse:
        admin = request.cookies.get(SESSION_COOKIE)
        return self.templates.TemplateResponse(
            request,
            template,
            {"toast": toast, "admin": admin, "links": self.links, **values},
            status_code=status_code,
        )


def signed_in(request: Request) -> RedirectResponse | None:
    """A redirect to the sign-in page when nobody has signed in."""
    if request.cookies.get(SESSION_COOKIE):
        return None
    return RedirectResponse("/signin", status_code=303)


def error_toast(error: GraphCallError, title: str) -> Toast:
    return Toast(title, error.message, "error")


def field_of(message: str) -> str:
    """The form field a Graph refusal is about, so the page shows it beside that field."""
    lowered = message.lower()
    for needle, name in (
        ("tenant url", "tenant_url"),
        ("secret token", "secret_token"),
        ("email", "notification_email"),
        ("threshold", "threshold"),
        ("expression", "expression"),
    ):
        if needle in lowered:
            return name
    return "form"
