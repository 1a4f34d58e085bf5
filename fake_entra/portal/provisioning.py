"""The Provisioning page (tutorial steps 10-17) and its Attribute Mappings, over Graph.

[E app-provisioning/application-provisioning-configuration-api.md; reference A.5]: the
portal's controls are these Graph calls:

- Provisioning Mode Automatic: ``POST …/synchronization/jobs`` (the template's job);
- Test Connection: ``POST …/jobs/{id}/validateCredentials``;
- Save: ``PUT …/synchronization/secrets`` with every key (there is no PATCH), then
  Provisioning Status On/Off: ``POST …/start`` or ``…/pause``;
- the form shown: ``GET /beta/…/synchronization/secrets`` (the Secret Token masked) and
  ``GET …/jobs/{id}``;
- Mappings: ``GET``/``PUT …/jobs/{id}/schema``, an expression through
  ``POST …/schema/parseExpression``, Restore default mappings from the template's schema.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from fake_entra.portal.context import Draft, PortalContext, Toast, error_toast, field_of, signed_in
from fake_entra.portal.graph_client import GraphCallError

#: Test Connection's notification. The tutorial says only "a success notification on the
#: upper-right side of your portal": the success text is provisim's (unconfirmed); the failure
#: text is the portal's [I MicrosoftDocs/azure-docs#54231].
TEST_OK = "The supplied credentials are authorized to enable provisioning"
TEST_FAILED = (
    "You appear to have entered invalid credentials. Please confirm you are using the correct "
    "information for an administrative account."
)
SAVED = "Your changes have been saved."


async def job_of(ctx: PortalContext, sp_id: str) -> dict[str, Any] | None:
    jobs = await ctx.graph.values(f"/servicePrincipals/{quote(sp_id)}/synchronization/jobs")
    return jobs[0] if jobs else None


async def saved_form(ctx: PortalContext, sp_id: str, job: dict[str, Any] | None) -> Draft:
    """The form as Graph has it saved (beta GET secrets; the Secret Token masked)."""
    draft = Draft()
    if job is None:
        return draft
    pairs = await ctx.graph.call(
        "GET", f"/servicePrincipals/{quote(sp_id)}/synchronization/secrets", prefix="/beta"
    )
    values = {item["key"]: item["value"] for item in (pairs or {}).get("value", [])}
    draft.tenant_url = values.get("BaseAddress", "")
    draft.notification_email = values.get("NotificationEmail", "")
    if "SyncNotificationSettings" in values:
        try:
            settings = json.loads(values["SyncNotificationSettings"])
        except ValueError:
            settings = {}
        draft.send_email = settings.get("Enabled") is True
        draft.notification_email = str(settings.get("Recipients") or draft.notification_email)
        draft.prevent_deletions = settings.get("DeleteThresholdEnabled", True) is not False
        draft.threshold = str(settings.get("DeleteThresholdValue", draft.threshold))
    else:
        for item in job.get("synchronizationJobSettings", []):
            if item.get("name") == "QuarantineTooManyDeletesThreshold":
                draft.threshold = str(item.get("value"))
    draft.scope = "all" if values.get("SyncAll", "false").lower() == "true" else "assigned"
    draft.status_on = job["schedule"]["state"] == "Active"
    return draft


def read_form(form: Any, draft: Draft) -> Draft:
    """The posted form over what was typed before; an empty Secret Token keeps the one typed."""
    typed = str(form.get("secret_token", ""))
    return Draft(
        tenant_url=str(form.get("tenant_url", "")),
        secret_token=typed or draft.secret_token,
        notification_email=str(form.get("notification_email", "")),
        send_email=form.get("send_email") == "on",
        prevent_deletions=form.get("prevent_deletions") == "on",
        threshold=str(form.get("threshold", "500")),
        scope=str(form.get("scope", "assigned")),
        status_on=form.get("provisioning_status") == "On",
        touched=True,
    )


def secrets_body(draft: Draft) -> dict[str, Any]:
    try:
        threshold: Any = int(draft.threshold)
    except ValueError:
        threshold = draft.threshold
    notification = {
        "Enabled": draft.send_email,
        "Recipients": draft.notification_email,
        "DeleteThresholdEnabled": draft.prevent_deletions,
        "DeleteThresholdValue": threshold,
    }
    return {
        "value": [
            {"key": "BaseAddress", "value": draft.tenant_url},
            {"key": "SecretToken", "value": draft.secret_token},
            {"key": "SyncNotificationSettings", "value": json.dumps(notification)},
            {"key": "SyncAll", "value": "true" if draft.scope == "all" else "false"},
        ]
    }


def register(app: FastAPI, ctx: PortalContext) -> None:
    graph = ctx.graph

    async def page(
        request: Request,
        sp_id: str,
        *,
        draft: Draft | None = None,
        mode: str | None = None,
        errors: dict[str, str] | None = None,
        toast: Toast | None = None,
        status_code: int = 200,
    ) -> Response:
        sp = await graph.get(f"/servicePrincipals/{quote(sp_id)}")
        job = await job_of(ctx, sp_id)
        shown = draft or (
            ctx.drafts[sp_id] if ctx.draft(sp_id).touched else await saved_form(ctx, sp_id, job)
        )
        schema = (
            await graph.get(
                f"/servicePrincipals/{sp['id']}/synchronization/jobs/{job['id']}/schema"
            )
            if job
            else None
        )
        mappings = [
            om
            for rule in (schema or {}).get("synchronizationRules", [])
            for om in rule["objectMappings"]
        ]
        return ctx.render(
            request,
            "provisioning.html",
            sp=sp,
            section="provisioning",
            job=job,
            form=shown,
            token_entered=bool(ctx.draft(sp_id).secret_token),
            mode=mode or ("Automatic" if job else "Manual"),
            mappings=mappings,
            errors=errors or {},
            toast=toast,
            status_code=status_code,
        )

    @app.get("/apps/{sp_id}/provisioning", response_class=HTMLResponse)
    async def provisioning_page(request: Request, sp_id: str, discard: bool = False) -> Response:
        if discard:
            # Discard: what was typed and not saved is forgotten (the Secret Token too).
            ctx.drafts.pop(sp_id, None)
        return signed_in(request) or await page(request, sp_id)

    @app.post("/apps/{sp_id}/provisioning", response_class=HTMLResponse)
    async def provisioning_form(request: Request, sp_id: str) -> Response:
        if (redirect := signed_in(request)) is not None:
            return redirect
        sp_path = f"/servicePrincipals/{quote(sp_id)}"
        form = await request.form()
        action = str(form.get("action", "save"))
        mode = str(form.get("provisioning_mode", "Manual"))
        job = await job_of(ctx, sp_id)
        if mode != "Automatic":
            if job is not None:
                # The portal's known issue (PortalKnownIssues.manual_mode_locked_once_saved,
                # fake_entra/provisioning.py): Graph has no "Manual", only DELETE …/jobs/{id},
                # which the portal's Provisioning Mode never sends.
                return await page(
                    request,
                    sp_id,
                    errors={
                        "provisioning_mode": "Provisioning Mode can't be changed back to Manual once provisioning is configured; set Provisioning Status to Off instead."
                    },
                    status_code=400,
                )
            return await page(
                request,
                sp_id,
                mode="Manual",
                toast=Toast("Saved", "Provisioning Mode is Manual: nothing is provisioned."),
            )
        if job is None:
            # Provisioning Mode Automatic: the job from the application's template.
            templates = await graph.values(f"{sp_path}/synchronization/templates")
            if not templates:
                return await page(
                    request,
                    sp_id,
                    mode="Manual",
                    errors={
                        "provisioning_mode": "This application does not support automatic provisioning."
                    },
                    status_code=400,
                )
            job = await graph.post(
                f"{sp_path}/synchronization/jobs", {"templateId": templates[0]["id"]}
            )
            schema = await graph.get(f"{sp_path}/synchronization/jobs/{job['id']}/schema")
            schema.pop("@odata.context", None)
            ctx.default_schemas[sp_id.lower()] = schema
        if action == "mode":
            return await page(request, sp_id, mode="Automatic")
        draft = read_form(form, ctx.draft(sp_id))
        ctx.drafts[sp_id] = draft
        job_path = f"{sp_path}/synchronization/jobs/{job['id']}"
        if action == "test":
            body = {
                "useSavedCredentials": False,
                "credentials": [
                    {"key": "BaseAddress", "value": draft.tenant_url},
                    {"key": "SecretToken", "value": draft.secret_token},
                ],
            }
            try:
                await graph.post(f"{job_path}/validateCredentials", body)
            except GraphCallError as error:
                field = field_of(error.message)
                if field == "form":
                    return await page(
                        request,
                        sp_id,
                        draft=draft,
                        toast=Toast(
                            "Testing connection to " + (await graph.get(sp_path))["displayName"],
                            f"{TEST_FAILED} {error.message}",
                            "error",
                        ),
                        status_code=400,
                    )
                return await page(
                    request,
                    sp_id,
                    draft=draft,
                    errors={field: error.message},
                    toast=error_toast(error, "Test Connection failed"),
                    status_code=400,
                )
            return await page(
                request,
                sp_id,
                draft=draft,
                toast=Toast(
                    "Testing connection to " + (await graph.get(sp_path))["displayName"], TEST_OK
                ),
            )
        try:
            await graph.put(f"{sp_path}/synchronization/secrets", secrets_body(draft))
        except GraphCallError as error:
            return await page(
                request,
                sp_id,
                draft=draft,
                errors={field_of(error.message): error.message},
                toast=error_toast(error, "Save failed"),
                status_code=400,
            )
        current = await graph.get(job_path)
        running = current["schedule"]["state"] == "Active"
        try:
            if draft.status_on and not running:
                await graph.post(f"{job_path}/start")
            elif not draft.status_on and running:
                await graph.post(f"{job_path}/pause")
        except GraphCallError as error:
            return await page(
                request,
                sp_id,
                draft=draft,
                errors={"provisioning_status": error.message},
                toast=error_toast(error, "Save failed"),
                status_code=400,
            )
        # Saved: the form is Graph's again (the typed Secret Token is kept for the next Save).
        ctx.drafts[sp_id] = Draft(secret_token=draft.secret_token)
        return await page(request, sp_id, toast=Toast("Saved", SAVED))

    # -- Attribute Mappings ---------------------------------------------------------------

    async def mapping_page(
        request: Request,
        sp_id: str,
        index: int,
        *,
        editing: str | None = None,
        expression: str | None = None,
        test_value: str = "",
        result: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        toast: Toast | None = None,
        status_code: int = 200,
    ) -> Response:
        sp = await graph.get(f"/servicePrincipals/{quote(sp_id)}")
        job = await job_of(ctx, sp_id)
        if job is None:
            raise GraphCallError(400, "NotConfigured", "Set Provisioning Mode to Automatic first.")
        schema = await graph.get(
            f"/servicePrincipals/{sp['id']}/synchronization/jobs/{job['id']}/schema"
        )
        mappings = [om for rule in schema["synchronizationRules"] for om in rule["objectMappings"]]
        if not 0 <= index < len(mappings):
            raise GraphCallError(404, "ResourceNotFound", "There is no such mapping.")
        mapping = mappings[index]
        attributes = mapping["attributeMappings"]
        matching = sorted(
            (a for a in attributes if a["matchingPriority"]), key=lambda a: a["matchingPriority"]
        )
        chosen = next((a for a in attributes if a["targetAttributeName"] == editing), None)
        if chosen is not None and expression is None:
            expression = (chosen.get("source") or {}).get("expression", "")
        return ctx.render(
            request,
            "mapping.html",
            sp=sp,
            section="provisioning",
            index=index,
            mapping=mapping,
            attributes=attributes,
            matching=matching,
            editing=chosen,
            expression=expression or "",
            test_value=test_value,
            result=result,
            errors=errors or {},
            toast=toast,
            status_code=status_code,
        )

    @app.get("/apps/{sp_id}/provisioning/mappings/{index}", response_class=HTMLResponse)
    async def mapping(
        request: Request, sp_id: str, index: int, edit: str | None = None
    ) -> Response:
        return signed_in(request) or await mapping_page(request, sp_id, index, editing=edit)

    @app.post("/apps/{sp_id}/provisioning/mappings/{index}", response_class=HTMLResponse)
    async def mapping_form(request: Request, sp_id: str, index: int) -> Response:
        if (redirect := signed_in(request)) is not None:
            return redirect
        form = await request.form()
        action = str(form.get("action", ""))
        target = str(form.get("target", ""))
        expression = str(form.get("expression", ""))
        test_value = str(form.get("test_value", ""))
        job = await job_of(ctx, sp_id)
        if job is None:
            raise GraphCallError(400, "NotConfigured", "Set Provisioning Mode to Automatic first.")
        sp_path = f"/servicePrincipals/{quote(sp_id)}"
        schema_path = f"{sp_path}/synchronization/jobs/{job['id']}/schema"
        if action == "restore":
            default = ctx.default_schemas.get(sp_id.lower())
            if default is None:
                # A job the portal did not create: the template's schema is the default.
                templates = await graph.values(f"{sp_path}/synchronization/templates")
                default = await graph.get(
                    f"{sp_path}/synchronization/templates/{templates[0]['id']}/schema"
                )
                default.pop("@odata.context", None)
            await graph.put(schema_path, default)
            return await mapping_page(
                request, sp_id, index, toast=Toast("Saved", "The default mappings are restored.")
            )
        if not expression.strip():
            return await mapping_page(
                request,
                sp_id,
                index,
                editing=target,
                expression=expression,
                test_value=test_value,
                errors={"expression": "Enter an expression."},
                status_code=400,
            )
        schema = await graph.get(schema_path)
        # The test value stands for every source attribute the expression reads.
        names = dict.fromkeys(re.findall(r"\[([^\[\]]+)\]", expression))
        properties = [{"key": name, "value": test_value} for name in names] if test_value else []
        parsed = await graph.post(
            f"{schema_path}/parseExpression",
            {
                "expression": expression,
                "testInputObject": {"definition": None, "properties": properties},
                "targetAttributeDefinition": None,
            },
        )
        if not parsed.get("parsingSucceeded"):
            message = (parsed.get("error") or {}).get(
                "message"
            ) or "The expression could not be parsed."
            return await mapping_page(
                request,
                sp_id,
                index,
                editing=target,
                expression=expression,
                test_value=test_value,
                errors={"expression": message},
                status_code=400,
            )
        if action == "test":
            return await mapping_page(
                request,
                sp_id,
                index,
                editing=target,
                expression=expression,
                test_value=test_value,
                result=parsed,
            )
        updated = copy.deepcopy(schema)
        updated.pop("@odata.context", None)
        found = False
        position = 0
        for rule in updated["synchronizationRules"]:
            for om in rule["objectMappings"]:
                if position == index:
                    for attribute in om["attributeMappings"]:
                        if attribute["targetAttributeName"] == target:
                            attribute["source"] = parsed["parsedExpression"]
                            found = True
                position += 1
        if not found:
            return await mapping_page(
                request,
                sp_id,
                index,
                errors={"expression": f"'{target}' is not an attribute of this mapping."},
                status_code=400,
            )
        try:
            await graph.put(schema_path, updated)
        except GraphCallError as error:
            return await mapping_page(
                request,
                sp_id,
                index,
                editing=target,
                expression=expression,
                errors={"expression": error.message},
                status_code=400,
            )
        return await mapping_page(request, sp_id, index, toast=Toast("Saved", SAVED))
