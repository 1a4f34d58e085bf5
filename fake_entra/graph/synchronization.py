"""Synchronization: templates, jobs, secrets, Test Connection, start, pause, restart and
provision on demand, over the provisioning configuration and the engine.

Sources: [G resources/synchronization-overview.md, synchronization-synchronization-list-
templates.md, -post-jobs.md, synchronization-synchronizationjob-{get,start,pause,restart,
validatecredentials,provisionondemand}.md, synchronization-serviceprincipal-put-
synchronization.md]; reference A.2 #4-#16, A.3.3-A.3.5.

Graph's calls map onto the portal's Provisioning page, whose rules stay where they are
(:mod:`fake_entra.provisioning`): PUT secrets is Provisioning Mode Automatic + Admin
Credentials + Notification Email + Settings + Save; start and pause are Provisioning
Status On/Off + Save. A call that the page refuses changes nothing: the form goes back
to what was saved.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from fake_entra.applications import EnterpriseApplication
from fake_entra.clock import VirtualClock
from fake_entra.directory import PortalError
from fake_entra.engine import EngineSettings, ProvisioningJob
from fake_entra.graph.bodies import json_object
from fake_entra.graph.durations import NEVER, format_duration
from fake_entra.graph.errors import GraphError, bad_request
from fake_entra.graph.on_demand import on_demand_pair
from fake_entra.graph.schema import apply_schema, is_rule, parse_expression_response, schema_json
from fake_entra.graph.settings import GraphSettings
from fake_entra.provisioning import (
    ProvisioningConfiguration,
    ProvisioningMode,
    ProvisioningScope,
    ProvisioningStatus,
)

#: [G …synchronizationjobrestartcriteria.md]: the values of resetScope.
RESET_SCOPES = frozenset(
    {
        "None",
        "ConnectorDataStore",
        "Escrows",
        "Watermark",
        "QuarantineState",
        "Full",
        "ForceDeletes",
    }
)
#: The keys PUT secrets understands [G …put-synchronization.md; E how-to-inbound-synch-ms-graph.md;
#: E skip-out-of-scope-deletions.md]. NotificationEmail is accepted as a plain alternative to
#: SyncNotificationSettings' Recipients (issue 12).
SECRET_KEYS = frozenset(
    {
        "BaseAddress",
        "SecretToken",
        "SyncNotificationSettings",
        "NotificationEmail",
        "SyncAll",
        "SkipOutOfScopeDeletions",
    }
)


def _pairs(body: dict[str, Any], *names: str) -> list[tuple[str, str]]:
    """A list of ``{key, value}`` pairs, from the first of ``names`` present."""
    for name in names:
        if name in body:
            items = body[name]
            break
    else:
        raise bad_request(
            f"Invalid value specified for property '{names[0]}': a value is required."
        )
    if not isinstance(items, list):
        raise bad_request(f"'{names[0]}' must be an array of key/value pairs.")
    pairs: list[tuple[str, str]] = []
    for item in items:
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("key"), str)
            or not isinstance(item.get("value"), str)
        ):
            raise bad_request(f"Each entry of '{names[0]}' needs a string key and value.")
        pairs.append((item["key"], item["value"]))
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise bad_request("A key appears more than once.")
    return pairs


def _flag(key: str, text: str) -> bool:
    if text.strip().lower() not in ("true", "false"):
        raise bad_request(f"The value of {key} must be 'true' or 'false'.")
    return text.strip().lower() == "true"


class Synchronization:
    """``/servicePrincipals/{id}/synchronization``: one per tenant, jobs per application."""

    def __init__(
        self,
        *,
        clock: VirtualClock,
        settings: GraphSettings,
        seed: int,
        authorize: Callable[[str], None],
        engine_settings: EngineSettings | None = None,
    ) -> None:
        self._clock = clock
        self._settings = settings
        self._seed = seed
        #: The tenant's id, as Graph jobs and provisioning logs carry it (seeded: the tenant
        #: itself has none).
        self.tenant_id = str(
            uuid.UUID(int=random.Random(f"{seed}:graph:tenant").getrandbits(128), version=4)
        )
        self._job_ids = random.Random(f"{seed}:graph:jobs")
        self._authorize = authorize
        self._engine_settings = engine_settings
        self._jobs: dict[str, dict[str, ProvisioningJob]] = {}
        self._secrets: dict[str, list[tuple[str, str]]] = {}
        self._on_demand_calls: dict[str, list[datetime]] = {}
        #: Every Secret Token seen, so that no output repeats one (masked by value).
        self.secret_values: set[str] = set()
        #: Called with each job created, so a recorder can follow its cycles.
        self.job_listeners: list[Callable[[ProvisioningJob], None]] = []

    @property
    def template_id(self) -> str:
        return self._settings.synchronization_template_id

    # -- templates ---------------------------------------------------------------------------

    def templates(self, app: EnterpriseApplication) -> list[dict[str, Any]]:
        if not app.template.supports_provisioning:
            return []
        return [
            {
                "id": self.template_id,
                "factoryTag": self.template_id,
                "applicationId": app.app_id,
                "default": True,
                "discoverable": True,
                "metadata": [],
                "schema": schema_json(app.provisioning, self.template_id),
            }
        ]

    def template_schema(self, app: EnterpriseApplication, template_id: str) -> dict[str, Any]:
        self._template(app, template_id)
        return schema_json(app.provisioning, self.template_id)

    def _template(self, app: EnterpriseApplication, template_id: str) -> None:
        if not app.template.supports_provisioning or template_id != self.template_id:
            raise GraphError(
                404,
                "ResourceNotFound",
                f"Synchronization template '{template_id}' does not exist for {app.display_name}.",
            )

    # -- jobs --------------------------------------------------------------------------------

    def jobs(self, app: EnterpriseApplication) -> list[ProvisioningJob]:
        return list(self._jobs.get(app.object_id, {}).values())

    def job(self, app: EnterpriseApplication, job_id: str) -> ProvisioningJob:
        job = self._jobs.get(app.object_id, {}).get(job_id)
        if job is None:
            raise GraphError(
                404,
                "ResourceNotFound",
                f"Synchronization job '{job_id}' does not exist for {app.display_name}.",
            )
        return job

    def all_jobs(self) -> list[ProvisioningJob]:
        return [job for jobs in self._jobs.values() for job in jobs.values()]

    def create_job(self, app: EnterpriseApplication, raw: bytes) -> ProvisioningJob:
        """[G …post-jobs.md]: ``templateId`` is the only required property; the job is
        created Disabled."""
        body = json_object(raw)
        template_id = body.get("templateId")
        if not isinstance(template_id, str):
            raise bad_request(
                "Invalid value specified for property 'templateId': a value is required."
            )
        if not app.template.supports_provisioning or template_id != self.template_id:
            raise bad_request(
                f"Template '{template_id}' is not a synchronization template of "
                f"{app.display_name}; list them with GET …/synchronization/"
                "templates."
            )
        existing = self._jobs.setdefault(app.object_id, {})
        if existing and self._settings.one_job_per_template:
            raise GraphError(
                409,
                "Conflict",
                f"{app.display_name} already has a synchronization job from "
                f"template '{template_id}'.",
            )
        self._authorize(f"Configure provisioning for {app.display_name}")
        job = ProvisioningJob(
            app,
            self._clock,
            settings=self._engine_settings,
            seed=self._seed,
            tenant_id=self.tenant_id,
            job_id=self._new_job_id(template_id),
        )
        existing[job.job_id] = job
        for listener in tuple(self.job_listeners):
            listener(job)
        return job

    def _new_job_id(self, template_id: str) -> str:
        """Reference A.1 "IDs": ``{templateId}.{tenantIdWithoutDashes}.{guid}``, as in
        ``aws.74beb175….10a7a801-…`` [G provisioningobjectsummary-list.md]."""
        guid = uuid.UUID(int=self._job_ids.getrandbits(128), version=4)
        return f"{template_id}.{self.tenant_id.replace('-', '')}.{guid}"

    def adopt(self, job: ProvisioningJob) -> None:
        self._jobs.setdefault(job.application.object_id, {})[job.job_id] = job

    def delete_job(self, app: EnterpriseApplication, job_id: str) -> None:
        """Stops the job and deletes its state [G resources/synchronization-synchronizationjob.md]."""
        job = self.job(app, job_id)
        self._authorize(f"Configure provisioning for {app.display_name}")
        job.detach()
        del self._jobs[app.object_id][job_id]

    def job_json(self, job: ProvisioningJob) -> dict[str, Any]:
        saved = job.config.saved
        running = job.is_running
        if running:
            state = "Active"
        elif job.status.last_execution is not None or job.cycle_suspended:
            state = "Paused"
        else:
            state = "Disabled"
        threshold = job.config.saved_settings.accidental_deletion_threshold
        return {
            "id": job.job_id,
            "templateId": self.template_id,
            "schedule": {
                "expiration": None,
                # [G …post-jobs.md]: a disabled job's interval is TimeSpan.MaxValue.
                "interval": NEVER
                if state == "Disabled" and saved is None
                else format_duration(job.settings.cycle_interval),
                "state": state,
            },
            "status": dict(job.status.to_graph_json()),
            "synchronizationJobSettings": [
                {"name": "QuarantineTooManyDeletesThreshold", "value": str(threshold)},
            ],
        }

    # -- secrets -----------------------------------------------------------------------------

    def put_secrets(self, app: EnterpriseApplication, raw: bytes) -> None:
        """Save: PUT replaces every key (there is no PATCH), and the portal's checks apply."""
        body = json_object(raw)
        # The reference names the parameter "credentials"; every example sends "value".
        pairs = _pairs(body, "value", "credentials")
        values = dict(pairs)
        unknown = sorted(set(values) - SECRET_KEYS)
        if unknown:
            raise bad_request(
                f"Unknown synchronization secret key(s): {', '.join(unknown)}; "
                f"use {', '.join(sorted(SECRET_KEYS))}."
            )
        token = values.get("SecretToken", "")
        if token:
            self.secret_values.add(token)
        recipients = values.get("NotificationEmail", "")
        notify = False
        threshold_enabled, threshold = True, job_threshold(app.provisioning)
        if "SyncNotificationSettings" in values:
            try:
                notification = json.loads(values["SyncNotificationSettings"])
            except ValueError:
                notification = None
            if not isinstance(notification, dict):
                raise bad_request(
                    "SyncNotificationSettings must be a JSON object such as "
                    '{"Enabled":true,"Recipients":"ops@contoso.com"}.'
                )
            notify = notification.get("Enabled") is True
            recipients = str(notification.get("Recipients") or recipients)
            threshold_enabled = notification.get("DeleteThresholdEnabled", True) is not False
            value = notification.get("DeleteThresholdValue", threshold)
            if isinstance(value, bool) or not isinstance(value, int):
                raise bad_request("DeleteThresholdValue must be a whole number.")
            threshold = value
        sync_all = _flag("SyncAll", values["SyncAll"]) if "SyncAll" in values else False
        skip = (
            _flag("SkipOutOfScopeDeletions", values["SkipOutOfScopeDeletions"])
            if "SkipOutOfScopeDeletions" in values
            else False
        )
        config = app.provisioning
        self._authorize(f"Configure provisioning for {app.display_name}")
        config.discard()
        try:
            config.set_provisioning_mode(ProvisioningMode.AUTOMATIC)
            config.set_admin_credentials(values.get("BaseAddress", ""), token)
            config.set_notification_email(recipients, send_email_on_failure=notify)
            config.set_scope(
                ProvisioningScope.SYNC_ALL if sync_all else ProvisioningScope.SYNC_ASSIGNED
            )
            config.set_accidental_deletion_prevention(threshold_enabled, threshold)
            config.set_skip_out_of_scope_deletions(skip)
            # Graph saves without Test Connection (PortalKnownIssues is the portal's).
            config.save(portal=False)
        except PortalError as error:
            config.discard()
            raise bad_request(error.notification) from None
        self._secrets[app.object_id] = pairs

    def secrets(self, app: EnterpriseApplication) -> list[dict[str, str]]:
        """The keys last PUT, the Secret Token masked (beta only in the docs)."""
        return [
            {"key": key, "value": self._settings.masked_secret if key == "SecretToken" else value}
            for key, value in self._secrets.get(app.object_id, [])
        ]

    # -- Test Connection ---------------------------------------------------------------------

    def validate_credentials(self, job: ProvisioningJob, raw: bytes) -> None:
        """[G …validatecredentials.md]: 204 when the credentials work."""
        body = json_object(raw)
        use_saved = body.get("useSavedCredentials", False)
        if not isinstance(use_saved, bool):
            raise bad_request("useSavedCredentials must be a boolean.")
        config = job.config
        if use_saved:
            if config.saved is None or config.saved.mode is not ProvisioningMode.AUTOMATIC:
                raise bad_request(
                    "There are no saved credentials to test; PUT …/synchronization/secrets first."
                )
            tenant_url = config.saved.credentials.tenant_url
            token = config.saved.credentials.secret_token
        else:
            values = dict(_pairs(body, "credentials"))
            tenant_url, token = values.get("BaseAddress", ""), values.get("SecretToken", "")
        if token:
            self.secret_values.add(token)
        self._authorize(f"Test Connection ({job.application.display_name})")
        config.discard()
        try:
            config.set_provisioning_mode(ProvisioningMode.AUTOMATIC)
            config.set_admin_credentials(tenant_url, token)
            result = config.test_connection()
        except PortalError as error:
            raise bad_request(error.notification) from None
        finally:
            # Testing types the credentials into the form; they aren't saved.
            config.discard()
        if not result.succeeded:
            raise GraphError(
                self._settings.credential_failure_status,
                self._settings.credential_failure_code,
                result.message,
            )

    # -- start, pause, restart ---------------------------------------------------------------

    def start(self, job: ProvisioningJob) -> None:
        """[G …start.md]: starts or resumes the job, and clears a quarantine."""
        config = job.config
        if config.saved is None or config.saved.mode is not ProvisioningMode.AUTOMATIC:
            raise bad_request(
                "Save the admin credentials (PUT …/synchronization/secrets) "
                "before starting the job."
            )
        self._set_status(config, ProvisioningStatus.ON)
        if job.status.quarantine is not None and job.is_running and not job.cycle_suspended:
            job.status.quarantine_lifted()
            job.run_cycle()

    def pause(self, job: ProvisioningJob) -> None:
        """[G …pause.md]: no more cycles; state is kept and start continues."""
        config = job.config
        if config.saved is None:
            raise bad_request("The job has not been configured; there is nothing to pause.")
        self._set_status(config, ProvisioningStatus.OFF)

    def restart(self, job: ProvisioningJob, raw: bytes) -> None:
        """[G …restart.md]: resetScope is a comma-separated list; none is the portal's Restart
        (QuarantineState, Watermark, Escrows); ForceDeletes alone is "Allow deletes"."""
        body = json_object(raw, required=False)
        criteria = body.get("criteria") or {}
        if not isinstance(criteria, dict):
            raise bad_request("criteria must be a synchronizationJobRestartCriteria object.")
        text = criteria.get("resetScope") or ""
        if not isinstance(text, str):
            raise bad_request("resetScope must be a string such as 'Watermark, Escrows'.")
        scopes = {part.strip() for part in text.split(",") if part.strip()}
        unknown = sorted(scopes - RESET_SCOPES)
        if unknown:
            raise bad_request(
                f"'{', '.join(unknown)}' is not a resetScope value; use "
                f"{', '.join(sorted(RESET_SCOPES))}."
            )
        if job.config.saved is None:
            raise bad_request("The job has not been configured; there is nothing to restart.")
        self._authorize(f"Restart provisioning ({job.application.display_name})")
        if scopes == {"ForceDeletes"}:
            job.allow_deletes()
            return
        if scopes & {"ConnectorDataStore", "Full"}:
            # The connector data store is forgotten: the next cycle matches every object
            # again and the Users/Groups counts are recounted (S5).
            job.connector.clear()
            job.status.restarted(connector_data_store_reset=True)
        job.restart()
        if "ForceDeletes" in scopes:
            job.allow_deletes()

    # -- provision on demand -----------------------------------------------------------------

    def provision_on_demand(self, job: ProvisioningJob, raw: bytes) -> dict[str, str]:
        body = json_object(raw)
        parameters = body.get("parameters")
        if (
            not isinstance(parameters, list)
            or len(parameters) != 1
            or not isinstance(parameters[0], dict)
        ):
            raise bad_request(
                "parameters must hold exactly one synchronizationJobApplicationParameters object."
            )
        rule = parameters[0].get("ruleId")
        if not isinstance(rule, str) or not is_rule(rule, self.template_id):
            raise bad_request(
                f"ruleId '{rule}' is not a synchronization rule of this job; "
                "read it from GET …/jobs/{id}/schema."
            )
        subjects = parameters[0].get("subjects")
        # Microsoft's docs and the portal: one user or one group per call.
        if (
            not isinstance(subjects, list)
            or len(subjects) != 1
            or not isinstance(subjects[0], dict)
        ):
            raise bad_request("subjects must hold exactly one subject (one user or one group).")
        subject = subjects[0]
        object_id = subject.get("objectId")
        object_type = subject.get("objectTypeName")
        if not isinstance(object_id, str) or object_type not in ("User", "Group"):
            raise bad_request("A subject needs an objectId and objectTypeName User or Group.")
        directory = job.directory
        # S10: users disabled or deleted in Entra "don't appear when you search", so on
        # demand they are as unknown as an id that never existed.
        found = (
            job.is_searchable(object_id.lower())
            if object_type == "User"
            else directory.find_group(object_id.lower()) is not None
        )
        if not found:
            raise GraphError(
                404,
                "Request_ResourceNotFound",
                f"No {object_type.lower()} with objectId '{object_id}' can be found "
                "(users disabled or deleted in Microsoft Entra ID are not found).",
            )
        members = self._picked_members(subject, object_type)
        self._throttle(job)
        try:
            result = job.provision_on_demand(object_id.lower(), members)
        except PortalError as error:
            raise bad_request(error.notification) from None
        return on_demand_pair(result, object_type)

    @staticmethod
    def _picked_members(subject: dict[str, Any], object_type: str) -> list[str] | None:
        """The group members picked in ``links.members`` (S10: up to five), or None."""
        links = subject.get("links")
        if links is None:
            return None
        members = links.get("members") if isinstance(links, dict) else None
        if object_type != "Group" or not isinstance(members, list) or not members:
            raise bad_request(
                "links.members picks members of a group subject: a non-empty list of "
                '{"objectId": "...", "objectTypeName": "User"}.'
            )
        picked: list[str] = []
        for member in members:
            member_id = member.get("objectId") if isinstance(member, dict) else None
            if not isinstance(member_id, str) or member.get("objectTypeName") != "User":
                raise bad_request(
                    'Each of links.members needs an objectId and objectTypeName "User".'
                )
            picked.append(member_id.lower())
        return picked

    def _throttle(self, job: ProvisioningJob) -> None:
        """5 requests per 10 s (the engine's own limit): 429 with Retry-After beyond it."""
        limit, window = job.settings.on_demand_rate
        now = self._clock.now()
        calls = [t for t in self._on_demand_calls.get(job.job_id, []) if now - t < window]
        if len(calls) >= limit:
            wait = max(window - (now - calls[0]), timedelta(seconds=1))
            raise GraphError(
                429,
                "TooManyRequests",
                f"Provision on demand allows {limit} requests per "
                f"{int(window.total_seconds())} seconds; retry after {int(wait.total_seconds())} "
                "seconds.",
                headers={"Retry-After": str(int(wait.total_seconds()))},
            )
        calls.append(now)
        self._on_demand_calls[job.job_id] = calls

    # -- schema --------------------------------------------------------------------------------

    def schema(self, job: ProvisioningJob) -> dict[str, Any]:
        return schema_json(job.config, self.template_id)

    def put_schema(self, job: ProvisioningJob, raw: bytes) -> None:
        self._authorize(f"Save attribute mappings ({job.application.display_name})")
        apply_schema(job.config, raw)

    @staticmethod
    def parse_expression(raw: bytes) -> dict[str, Any]:
        return parse_expression_response(raw)

    # -- internals -----------------------------------------------------------------------------

    def _set_status(self, config: ProvisioningConfiguration, status: ProvisioningStatus) -> None:
        config.discard()
        try:
            config.set_provisioning_status(status)
            config.save()
        except PortalError as error:
            config.discard()
            raise bad_request(error.notification) from None


def job_threshold(config: ProvisioningConfiguration) -> int:
    return config.saved_settings.accidental_deletion_threshold
