"""Watching provisioning: the Overview's current cycle status, Start/Stop/Restart, the
provisioning logs and Provision on demand, over Graph.

Sources: [E app-provisioning/check-status-user-account-provisioning.md] (the progress bar,
statistics to date, quarantine), [E monitor-provisioning-logs… / provisioning logs] (the
columns, filters and detail tabs), [E app-provisioning/provision-on-demand.md] (search,
up to five members of a group, the steps). Graph: ``GET …/jobs/{id}``, ``POST …/start``,
``…/pause``, ``…/restart``, ``GET /auditLogs/provisioning``, ``POST …/provisionOnDemand``.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from fake_entra.logs.export import csv_download, json_download
from fake_entra.logs.records import ProvisioningObjectSummary
from fake_entra.portal.context import PortalContext, Toast, error_toast, signed_in
from fake_entra.portal.graph_client import GraphCallError
from fake_entra.portal.provisioning import job_of

#: The provisioning logs' columns, in the portal's words and order.
LOG_COLUMNS = ("Date", "Identity", "Action", "Source System", "Target System", "Status")
#: The detail tabs of a log entry.
LOG_TABS = ("Steps", "Troubleshooting & Recommendations", "Modified Properties", "Summary")
STATUSES = ("success", "failure", "skipped", "warning")
ACTIONS = ("create", "update", "delete", "disable", "other")
#: [E provision-on-demand.md]: up to five members of a group per on-demand run.
MAX_ON_DEMAND_MEMBERS = 5


def cycle_view(job: dict[str, Any]) -> dict[str, Any]:
    """The Overview's "Current cycle status" from a synchronizationJob."""
    status = job["status"]
    progress = status.get("progress") or []
    percent = 0
    if progress:
        last = progress[-1]
        total = last.get("totalUnits") or 0
        percent = 100 if total == 0 else round(100 * (last.get("completedUnits") or 0) / total)
    execution = status.get("lastExecution") or {}
    counts = {
        item["key"]: item["value"] for item in status.get("synchronizedEntryCountByType") or []
    }
    quarantine = status.get("quarantine")
    if execution.get("state") == "Succeeded" and status.get("code") != "Quarantine":
        cycle = "Initial cycle completed." if percent == 100 else "Initial cycle in progress."
    else:
        cycle = "Not started." if not execution else f"Last cycle: {execution.get('state')}."
    return {
        "code": status.get("code"),
        "state": job["schedule"]["state"],
        "percent": percent if execution else 0,
        "cycle": cycle,
        "began": execution.get("timeBegan"),
        "ended": execution.get("timeEnded"),
        "users": counts.get("User", 0),
        "groups": counts.get("Group", 0),
        "exported": execution.get("countExported", 0),
        "error": (execution.get("error") or {}).get("message") if execution.get("error") else None,
        "quarantine": quarantine,
    }


def register(app: FastAPI, ctx: PortalContext) -> None:
    graph = ctx.graph

    async def overview(
        request: Request, sp_id: str, toast: Toast | None = None, status_code: int = 200
    ) -> Response:
        sp = await graph.get(f"/servicePrincipals/{quote(sp_id)}")
        job = await job_of(ctx, sp_id)
        return ctx.render(
            request,
            "provisioning_overview.html",
            sp=sp,
            section="overview-provisioning",
            job=job,
            cycle=cycle_view(job) if job else None,
            toast=toast,
            status_code=status_code,
        )

    @app.get("/apps/{sp_id}/provisioning/overview", response_class=HTMLResponse)
    async def provisioning_overview(request: Request, sp_id: str) -> Response:
        return signed_in(request) or await overview(request, sp_id)

    @app.post("/apps/{sp_id}/provisioning/overview", response_class=HTMLResponse)
    async def provisioning_command(request: Request, sp_id: str) -> Response:
        if (redirect := signed_in(request)) is not None:
            return redirect
        form = await request.form()
        command = str(form.get("command", ""))
        job = await job_of(ctx, sp_id)
        if job is None or command not in ("start", "stop", "restart"):
            return await overview(
                request,
                sp_id,
                Toast("Nothing to do", "Configure provisioning first.", "error"),
                400,
            )
        path = f"/servicePrincipals/{quote(sp_id)}/synchronization/jobs/{job['id']}"
        words = {
            "start": "Start provisioning",
            "stop": "Stop provisioning",
            "restart": "Restart provisioning",
        }
        try:
            if command == "start":
                await graph.post(f"{path}/start")
            elif command == "stop":
                await graph.post(f"{path}/pause")
            else:
                # The portal's Restart: no resetScope (QuarantineState, Watermark, Escrows).
                await graph.post(f"{path}/restart", {"criteria": {}})
        except GraphCallError as error:
            return await overview(
                request, sp_id, error_toast(error, f"{words[command]} failed"), 400
            )
        return await overview(request, sp_id, Toast(words[command], "Done."))

    # -- provisioning logs -------------------------------------------------------------------

    def log_filter(sp_id: str, status: str, action: str, identity: str = "") -> str:
        parts = [f"servicePrincipal/id eq '{sp_id}'"]
        if identity.strip():
            # Graph's provisioning-log filters are case-sensitive [G provisioningobjectsummary-list.md].
            text = identity.strip().replace("'", "''")
            parts.append(f"startswith(sourceIdentity/displayName,'{text}')")
        if status in STATUSES:
            parts.append(f"provisioningStatusInfo/status eq '{status}'")
        if action in ACTIONS:
            parts.append(f"provisioningAction eq '{action}'")
        return " and ".join(parts)

    @app.get("/apps/{sp_id}/provisioning/logs", response_class=HTMLResponse)
    async def logs(
        request: Request, sp_id: str, status: str = "", action: str = "", identity: str = ""
    ) -> Response:
        if (redirect := signed_in(request)) is not None:
            return redirect
        sp = await graph.get(f"/servicePrincipals/{quote(sp_id)}")
        entries = await graph.values(
            "/auditLogs/provisioning",
            **{"$filter": log_filter(sp["id"], status, action, identity)},
        )
        return ctx.render(
            request,
            "logs.html",
            sp=sp,
            section="logs",
            entries=entries,
            columns=LOG_COLUMNS,
            statuses=STATUSES,
            actions=ACTIONS,
            status=status,
            action=action,
            identity=identity,
        )

    async def log_records(sp_id: str) -> list[ProvisioningObjectSummary]:
        entries = await graph.values(
            "/auditLogs/provisioning", **{"$filter": log_filter(sp_id.lower(), "", "")}
        )
        return [ProvisioningObjectSummary.from_json(entry) for entry in entries]

    @app.get("/apps/{sp_id}/provisioning/logs.json")
    async def logs_json(request: Request, sp_id: str) -> Response:
        """Download > JSON: the entries Graph lists, compact, in Graph casing (S13)."""
        if (redirect := signed_in(request)) is not None:
            return redirect
        return Response(
            json_download(await log_records(sp_id)),
            media_type="application/json",
            headers={"Content-Disposition": 'attachment; filename="ProvisioningLogs.json"'},
        )

    @app.get("/apps/{sp_id}/provisioning/logs.zip")
    async def logs_csv(request: Request, sp_id: str) -> Response:
        """Download > CSV: the three files joined on changeId (S13), in one zip."""
        if (redirect := signed_in(request)) is not None:
            return redirect
        files = csv_download(await log_records(sp_id))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in files.items():
                archive.writestr(name, text)
        return Response(
            buffer.getvalue(),
            media_type="application/zip",
            headers={"Content-Disposition": 'attachment; filename="ProvisioningLogs.zip"'},
        )

    @app.get("/apps/{sp_id}/provisioning/logs/{entry_id}", response_class=HTMLResponse)
    async def log_entry(
        request: Request, sp_id: str, entry_id: str, tab: str = "Steps"
    ) -> Response:
        if (redirect := signed_in(request)) is not None:
            return redirect
        sp = await graph.get(f"/servicePrincipals/{quote(sp_id)}")
        entry = await graph.get(f"/auditLogs/provisioning/{quote(entry_id)}")
        return ctx.render(
            request,
            "log_entry.html",
            sp=sp,
            section="logs",
            entry=entry,
            tabs=LOG_TABS,
            tab=tab if tab in LOG_TABS else "Steps",
        )

    # -- provision on demand -------------------------------------------------------------------

    async def on_demand_page(
        request: Request,
        sp_id: str,
        *,
        query: str = "",
        picked: dict[str, Any] | None = None,
        members: list[dict[str, Any]] | None = None,
        result: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        toast: Toast | None = None,
        status_code: int = 200,
    ) -> Response:
        sp = await graph.get(f"/servicePrincipals/{quote(sp_id)}")
        found: list[dict[str, Any]] = []
        if query.strip():
            text = query.strip().replace("'", "''")
            found = [
                {**u, "type": "User"}
                for u in await graph.values(
                    "/users", **{"$filter": f"startswith(displayName,'{text}')"}
                )
            ] + [
                {**g, "type": "Group"}
                for g in await graph.values(
                    "/groups", **{"$filter": f"startswith(displayName,'{text}')"}
                )
            ]
        return ctx.render(
            request,
            "on_demand.html",
            sp=sp,
            section="on-demand",
            query=query,
            found=found,
            picked=picked,
            members=members or [],
            result=result,
            errors=errors or {},
            toast=toast,
            max_members=MAX_ON_DEMAND_MEMBERS,
            status_code=status_code,
        )

    @app.get("/apps/{sp_id}/provisioning/on-demand", response_class=HTMLResponse)
    async def on_demand(request: Request, sp_id: str, q: str = "", group: str = "") -> Response:
        if (redirect := signed_in(request)) is not None:
            return redirect
        if group:
            picked = await graph.get(f"/groups/{quote(group)}")
            members = await graph.values(f"/groups/{quote(group)}/members")
            return await on_demand_page(
                request, sp_id, query=q, picked={**picked, "type": "Group"}, members=members
            )
        return await on_demand_page(request, sp_id, query=q)

    @app.post("/apps/{sp_id}/provisioning/on-demand", response_class=HTMLResponse)
    async def provision_on_demand(request: Request, sp_id: str) -> Response:
        if (redirect := signed_in(request)) is not None:
            return redirect
        form = await request.form()
        object_id = str(form.get("object_id", ""))
        object_type = "Group" if form.get("object_type") == "Group" else "User"
        chosen = [str(v) for v in form.getlist("member")]
        if object_type == "Group" and not 1 <= len(chosen) <= MAX_ON_DEMAND_MEMBERS:
            picked = await graph.get(f"/groups/{quote(object_id)}")
            return await on_demand_page(
                request,
                sp_id,
                picked={**picked, "type": "Group"},
                members=await graph.values(f"/groups/{quote(object_id)}/members"),
                errors={"member": f"Select between 1 and {MAX_ON_DEMAND_MEMBERS} members."},
                status_code=400,
            )
        job = await job_of(ctx, sp_id)
        if job is None:
            return await on_demand_page(
                request, sp_id, errors={"form": "Configure provisioning first."}, status_code=400
            )
        path = f"/servicePrincipals/{quote(sp_id)}/synchronization/jobs/{job['id']}"
        schema = await graph.get(f"{path}/schema")
        subject: dict[str, Any] = {"objectId": object_id, "objectTypeName": object_type}
        if object_type == "Group":
            subject["links"] = {
                "members": [{"objectId": m, "objectTypeName": "User"} for m in chosen]
            }
        try:
            pair = await graph.post(
                f"{path}/provisionOnDemand",
                {
                    "parameters": [
                        {"ruleId": schema["synchronizationRules"][0]["id"], "subjects": [subject]}
                    ]
                },
            )
        except GraphCallError as error:
            return await on_demand_page(
                request,
                sp_id,
                errors={"form": error.message},
                toast=error_toast(error, "Provision on demand failed"),
                status_code=400,
            )
        key = json.loads(pair["key"]) if pair.get("key") else {}
        value = json.loads(pair["value"]) if pair.get("value") else {}
        return await on_demand_page(request, sp_id, result={"summary": key, "details": value})
