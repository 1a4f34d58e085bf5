"""The Entra-faithful flow: the real provisioning engine against the endpoint under test.

Once the tenant is seeded (:mod:`~harness.conformance.flow.setup`), the flow does what an
admin would: Test Connection, Save with Provisioning Status On (the initial cycle), and
directory changes followed by the next incremental cycle
(:mod:`~harness.conformance.flow.cycles`): update, rename, disable, re-enable, add and
remove members, soft and hard delete.

The engine (:class:`fake_entra.engine.ProvisioningJob`) sends exactly what Entra sends in
the dialect at hand; nothing here builds a request body. Each outcome is then read back
with GET (:mod:`~harness.conformance.flow.readback`), and a failure quotes what the engine
logged next to the exchanges (:mod:`~harness.conformance.flow.explain`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from typing import Final

import httpx

from fake_entra.dialects import CORE_USER_SCHEMA, PATCH_OP_SCHEMA, Dialect
from fake_entra.directory import DirectoryGroup, DirectoryUser, PortalError
from fake_entra.engine import ProvisioningJob
from fake_entra.mappings import AttributeMapping, MappingType
from fake_entra.scim_client import eq_filter
from fake_entra.target_values import normalize, read_value
from fake_entra.tenant import Tenant
from harness.conformance.exchanges import Exchange, ExchangeLog, list_resources
from harness.conformance.flow.cycles import last_retry_after, settle
from harness.conformance.flow.explain import engine_errors, exchanges_about, step_hint
from harness.conformance.flow.readback import (
    Mismatch,
    compare_group,
    compare_user,
    expect_active,
    expect_gone,
    expect_manager,
    expect_members,
    require_manager,
    target_id_of,
)
from harness.conformance.flow.setup import (
    DIALECT_TAGS,
    precreate_matched_user,
    seed_tenant,
    tenant_url_for,
)
from harness.conformance.flow.state import FlowState
from harness.conformance.flow.steps import (
    ADD_MEMBER,
    ADD_MEMBERS,
    APP_ROLES,
    CREATE_GROUP,
    CREATE_USERS,
    DELETE_GROUP,
    DELETE_USER,
    DISABLE_USER,
    ENABLE_USER,
    INITIAL_CYCLE_STEPS,
    MANAGER_ADD,
    MANAGER_CLEAR,
    MANAGER_REPLACE,
    MATCH_USER,
    REMOVE_MEMBER,
    RESTART_READBACK,
    TEST_CONNECTION,
    UPDATE_GROUP,
    UPDATE_USER,
)
from harness.conformance.probe import ScimProbe
from harness.conformance.resources import RESOURCE_PREFIX, CreatedResources
from harness.conformance.results import (
    CheckInfo,
    CheckResult,
    DiscoveryFact,
    Finding,
    NotApplicable,
    Unmet,
    bad,
    evaluate,
    ok,
)

#: The seeded objects each step is about: without them provisioned it is not established.
_NEEDS: Final[Mapping[str, tuple[str, ...]]] = {
    ADD_MEMBERS.id: ("group", "alice", "bob"),
    UPDATE_USER.id: ("alice",),
    MANAGER_ADD.id: ("alice", "dave"),
    MANAGER_REPLACE.id: ("alice", "bob"),
    MANAGER_CLEAR.id: ("alice",),
    UPDATE_GROUP.id: ("group",),
    RESTART_READBACK.id: ("alice", "group"),
    DISABLE_USER.id: ("bob",),
    ENABLE_USER.id: ("bob",),
    ADD_MEMBER.id: ("group", "carol"),
    REMOVE_MEMBER.id: ("group", "alice"),
    DELETE_USER.id: ("carol",),
    DELETE_GROUP.id: ("group",),
}


class EntraFlow:
    """One run of the Entra flow in one dialect, on its own test resources."""

    def __init__(
        self,
        *,
        url: str,
        token: str,
        dialect: Dialect,
        transport: httpx.BaseTransport,
        probe: ScimProbe,
        log: ExchangeLog,
        run_id: str,
        seed: int = 0,
        timeout: float = 30.0,
        created: CreatedResources | None = None,
        sleep: Callable[[float], None] = lambda seconds: None,
        max_wait: float = 10.0,
        retry_cycles: int = 3,
        on_start: Callable[[CheckInfo, str], None] | None = None,
        on_result: Callable[[CheckResult], None] | None = None,
    ) -> None:
        self.dialect = Dialect(dialect)
        self.tenant_url = tenant_url_for(url, self.dialect)
        self.token = token
        self.probe = probe
        self.log = log
        self.created = created if created is not None else CreatedResources()
        self.retry_cycles = retry_cycles
        self._sleep = sleep
        self._max_wait = max_wait
        self._on_start = on_start
        self._on_result = on_result
        self.tag = DIALECT_TAGS[self.dialect]
        self.prefix = f"{RESOURCE_PREFIX}{run_id}-{self.tag}-"
        # scim_transport: every request the engine sends goes through the run's recorder
        # and rate limiter; None would mean plain network access.
        # The generic SCIM template, not LinkedIn's: conformance judges a server as any
        # non-gallery SCIM app (issue 19; README "Fidelity").
        self.tenant = Tenant(
            seed=seed,
            scim_transport=transport,
            scim_timeout=timeout,
            linkedin_connector_template=False,
        )
        self.results: list[CheckResult] = []
        # Once the job is in quarantine the remaining steps cannot run: why, and the step
        # (its report key) during which it happened.
        self._halted: str | None = None
        self._halted_by: str | None = None
        self._matched_id: str | None = None
        self._precreate: Exchange | None = None
        # The initial cycle's exchanges: the steps that judge what it did carry them as
        # evidence.
        self._initial_cycle: list[Exchange] = []
        self._initial_started: datetime | None = None
        since = self.tenant.clock.now()
        self.seeded = seed_tenant(
            self.tenant,
            prefix=self.prefix,
            dialect=self.dialect,
            tenant_url=self.tenant_url,
            token=self.token,
        )
        self.app = self.seeded.app
        self.state = FlowState(log, probe, self.dialect, self.seeded, since)

    @property
    def users(self) -> dict[str, DirectoryUser]:
        return self.seeded.users

    @property
    def group(self) -> DirectoryGroup:
        return self.seeded.group

    @property
    def job(self) -> ProvisioningJob | None:
        return self.state.job

    # -- the flow ------------------------------------------------------------------------

    def run(self) -> list[CheckResult]:
        self._matched_id, self._precreate = precreate_matched_user(
            self.probe, self.created, self.users["dave"]
        )
        steps: tuple[tuple[CheckInfo, Callable[[], Finding]], ...] = (
            (TEST_CONNECTION, self._test_connection),
            (CREATE_USERS, self._created_users),
            (MATCH_USER, self._matched_user),
            (CREATE_GROUP, self._created_group),
            (ADD_MEMBERS, self._initial_members),
            (UPDATE_USER, self._update_user),
            (MANAGER_ADD, self._manager_add),
            (MANAGER_REPLACE, self._manager_replace),
            (MANAGER_CLEAR, self._manager_clear),
            (UPDATE_GROUP, self._update_group),
            (DISABLE_USER, self._disable_user),
            (ENABLE_USER, self._enable_user),
            (ADD_MEMBER, self._add_member),
            (REMOVE_MEMBER, self._remove_member),
            # Late: what a Restart reads back changes what later PATCHes carry.
            (RESTART_READBACK, self._restart_readback),
            (DELETE_USER, self._delete_user),
            (DELETE_GROUP, self._delete_group),
            # Last: mapping a role changes every user's requests from then on.
            (APP_ROLES, self._app_roles),
        )
        self.log.dialect = self.dialect.value
        try:
            for info, body in steps:
                if self._on_start is not None:
                    self._on_start(info, self.dialect.value)
                result = evaluate(
                    info,
                    self.log,
                    partial(self._guarded, info, body),
                    dialect=self.dialect.value,
                )
                self.results.append(result)
                if self._on_result is not None:
                    self._on_result(result)
        finally:
            # Even when interrupted: what the engine created must reach the clean-up.
            self.log.dialect = None
            self._register_created()
        return self.results

    def _guarded(self, info: CheckInfo, body: Callable[[], Finding]) -> Finding:
        if self._halted is not None:
            raise Unmet(self._halted, blocked_by=self._halted_by)
        self._require_provisioned(info)
        state = self.state
        # The initial cycle's steps judge the engine's log from that cycle on.
        started = self._initial_started
        if info in INITIAL_CYCLE_STEPS and started is not None:
            state.since = started
        else:
            state.since = self.tenant.clock.now()
        state.carried = self._initial_cycle if info in INITIAL_CYCLE_STEPS else []
        state.step_mark = self.log.mark()
        try:
            return body()
        except Mismatch as mismatch:
            detail = engine_errors(state, mismatch.about)
            message = mismatch.message + (f". Entra logged: {detail}" if detail else "")
            evidence = mismatch.evidence
            if evidence is None:
                # What the step sent (and for the initial cycle's steps, what that cycle
                # sent), the exchanges about the object in question first.
                sent = [*state.carried, *self.log.since(state.step_mark)]
                evidence = exchanges_about(state, sent, mismatch.about) or sent
            return bad(message, mismatch.hint or step_hint(state, mismatch.about), evidence)
        except PortalError as error:
            return bad(f"the Entra admin center refused a step: {error}")
        finally:
            self._check_quarantine(info)

    # -- steps -----------------------------------------------------------------------------

    def _test_connection(self) -> Finding:
        result = self.app.provisioning.test_connection()
        if not result.succeeded:
            return bad(f"Test Connection failed: {result.message}")
        return ok(result.message)

    def _created_users(self) -> Finding:
        # Save does not depend on Test Connection: an admin may save anyway, and the cycles
        # show what else breaks.
        provisioning = self.app.provisioning
        self.state.job = ProvisioningJob(self.app, self.tenant.clock, seed=self.tenant.seed)
        self._initial_started = self.state.since = self.tenant.clock.now()
        provisioning.set_provisioning_status("On")
        provisioning.save()  # Provisioning Status On + Save: the initial cycle runs now.
        self._settle()
        self._initial_cycle = [
            e for e in self.log.since(self.state.step_mark) if e.origin == "entra"
        ]
        for key in ("alice", "bob", "carol"):
            compare_user(self.state, key)
        return ok("alice, bob and carol were created and read back as sent")

    def _matched_user(self) -> Finding:
        if self._matched_id is None:
            sent = [self._precreate] if self._precreate is not None else []
            what = sent[0].describe() if sent else "it was never sent"
            raise Unmet(f"needs a user created before the first cycle, but {what}", sent)
        dave = self.users["dave"]
        target_id = target_id_of(self.state, dave.object_id, dave.user_principal_name)
        if target_id != self._matched_id:
            raise Mismatch(
                f"Entra linked {dave.user_principal_name} to {target_id}, not to the existing "
                f"user {self._matched_id}: the match failed and a second user was created",
                "Let filter=userName eq find the user that exists (S1 create or match).",
            )
        query = self.probe.get("Users", {"filter": eq_filter("userName", dave.user_principal_name)})
        resources = list_resources(query)
        if resources is None or len(resources) != 1:
            count = "no ListResponse" if resources is None else f"{len(resources)} users"
            raise Mismatch(
                f"filter userName eq for the matched user gives {count}",
                'Let filter=userName eq "..." find exactly the existing user (S1 create or '
                "match); otherwise Entra cannot match it.",
                [query],
            )
        compare_user(self.state, "dave")
        return ok(f"matched {self._matched_id} and updated it by PATCH")

    def _created_group(self) -> Finding:
        group = self.group
        compare_group(
            self.state, {"displayName": group.display_name, "externalId": group.object_id}
        )
        return ok("the group was created and reads back as sent")

    def _initial_members(self) -> Finding:
        expect_members(self.state, {"alice", "bob"})
        return ok("alice and bob are members")

    def _update_user(self) -> Finding:
        alice = self.users["alice"]
        local = alice.user_principal_name.split("@", 1)
        self.tenant.directory.update_user(
            alice.object_id,
            job_title="Principal Engineer",
            surname="Updated",
            mail=f"{local[0]}.updated@{local[1]}",
        )
        self._next_cycle()
        resource = compare_user(self.state, "alice")
        work = [
            e
            for e in (read_value(resource, "emails") or [])
            if isinstance(e, dict) and str(e.get("type", "")).lower() == "work"
        ]
        if len(work) != 1:
            raise Mismatch(
                f"alice has {len(work)} work emails after the update; the replace of "
                'emails[type eq "work"].value must replace, not add',
            )
        return ok("title, surname and work email updated")

    # -- manager (add, replace, clear), as the engine sends them in the dialect at hand --

    def _manager_add(self) -> Finding:
        self.tenant.directory.set_manager(
            self.users["alice"].object_id, self.users["dave"].object_id
        )
        self._next_cycle()
        expect_manager(self.state, "alice", "dave")
        return ok("alice's manager is dave")

    def _manager_replace(self) -> Finding:
        require_manager(self.state, "alice", "dave", self._key(MANAGER_ADD))
        self.tenant.directory.set_manager(
            self.users["alice"].object_id, self.users["bob"].object_id
        )
        self._next_cycle()
        expect_manager(self.state, "alice", "bob")
        return ok("alice's manager is now bob")

    def _manager_clear(self) -> Finding:
        require_manager(self.state, "alice", "bob", self._key(MANAGER_REPLACE))
        self.tenant.directory.set_manager(self.users["alice"].object_id, None)
        self._next_cycle()
        expect_manager(self.state, "alice", None)
        return ok("alice has no manager")

    def _key(self, info: CheckInfo) -> str:
        return f"{info.id} [{self.dialect.value}]"

    def _update_group(self) -> Finding:
        group = self.group
        self.tenant.directory.rename_group(group.object_id, f"{self.prefix}group-renamed")
        self.seeded.names[group.object_id].add(group.display_name)
        self._next_cycle()
        compare_group(self.state, {"displayName": group.display_name})
        return ok(f"renamed to {group.display_name}")

    def _restart_readback(self) -> Finding:
        """S3: a Restart's cycle is an initial one, which reads every linked object by id
        and repairs what changed in the target behind Entra's back."""
        alice, group = self.users["alice"], self.group
        user_id = target_id_of(self.state, alice.object_id, alice.user_principal_name)
        group_id = target_id_of(self.state, group.object_id, group.display_name)
        drifted = f"{self.prefix}group-drifted"
        self.seeded.names[group.object_id].add(drifted)
        for endpoint, target_id, path, value in (
            ("Users", user_id, "name.familyName", "Changed outside Entra"),
            ("Groups", group_id, "displayName", drifted),
        ):
            self._drift(f"{endpoint}/{target_id}", path, value)
        mark = self.log.mark()
        self.state.started_job().restart()
        self._settle()
        reads = {
            e.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
            for e in self.log.since(mark)
            if e.origin == "entra" and e.method == "GET" and e.status == 200
        }
        # Judged on the objects themselves, not on the engine's last word about them: a
        # repair that lands next to an unrelated refused change (a pending member removal)
        # is still a repair.
        for endpoint, target_id, path, wanted, about in (
            ("Users", user_id, "name.familyName", alice.surname, alice.object_id),
            ("Groups", group_id, "displayName", group.display_name, group.object_id),
        ):
            now = self.probe.get(f"{endpoint}/{target_id}")
            body = now.json()
            stored = read_value(body, path) if isinstance(body, dict) else None
            if stored != wanted:
                raise Mismatch(
                    f"after the Restart, {path} of {endpoint}/{target_id} is {stored!r}, not "
                    f"Entra's {wanted!r}: the change made outside Entra was not repaired",
                    about=about,
                )
        unread = [i for i in (user_id, group_id) if i not in reads]
        if unread:
            raise Mismatch(
                f"the drift was repaired, but Entra's reads by id of {', '.join(unread)} were "
                "not answered 200",
            )
        return ok(
            "alice's surname and the group's name, changed outside Entra, were read back "
            "by id and repaired by the Restart's cycle"
        )

    def _drift(self, resource: str, attribute: str, value: str) -> None:
        """Change ``attribute`` of ``resource`` behind Entra's back, as an admin of the app
        would: by PATCH (RFC 7644 §3.5.2), else by PUT of the resource as read (§3.5.1);
        not established when neither lands."""
        operation = {"op": "replace", "path": attribute, "value": value}
        sent = [
            self.probe.patch(resource, {"schemas": [PATCH_OP_SCHEMA], "Operations": [operation]})
        ]
        if sent[0].status not in (200, 204):
            current = self.probe.get(resource)
            body = current.json()
            sent.append(current)
            if current.status == 200 and isinstance(body, dict):
                body.pop("meta", None)
                parent, _, leaf = attribute.rpartition(".")
                holder = body.setdefault(parent, {}) if parent else body
                if isinstance(holder, dict):
                    holder[leaf] = value
                    sent.append(self.probe.send("PUT", resource, body=body))
        check = self.probe.get(resource)
        stored = check.json()
        if not isinstance(stored, dict) or read_value(stored, attribute) != value:
            tried = "; ".join(e.describe() for e in sent)
            raise Unmet(
                f"needs {attribute} of {resource} changed outside Entra, but the change did not "
                f"land ({tried}; {check.describe()})",
                [*sent, check],
            )

    def _disable_user(self) -> Finding:
        bob = self.users["bob"]
        self.tenant.directory.update_user(bob.object_id, account_enabled=False)
        self._next_cycle()
        expect_active(self.state, "bob", False)
        query = self.probe.get("Users", {"filter": eq_filter("userName", bob.user_principal_name)})
        if not list_resources(query):
            raise Mismatch(
                "the deactivated user is no longer found by filter userName eq",
                "Keep deactivated users in query results (S1: inactive users are still "
                "returned; growthbook#1680).",
                [query],
            )
        return ok("bob reads active false and is still found")

    def _enable_user(self) -> Finding:
        bob = self.users["bob"]
        self._require_deactivated(bob)
        self.tenant.directory.update_user(bob.object_id, account_enabled=True)
        self._next_cycle()
        expect_active(self.state, "bob", True)
        return ok("bob reads active true")

    def _require_provisioned(self, info: CheckInfo) -> None:
        """A step about objects Entra never provisioned proves nothing: it is not
        established, blocked by the step that was to provision them."""
        for key in _NEEDS.get(info.id, ()):
            source = self.group if key == "group" else self.users[key]
            creator = CREATE_GROUP if key == "group" else MATCH_USER if key == "dave" else None
            step = creator or CREATE_USERS
            if self.job is None or self.job.connector.get(source.object_id) is None:
                raise Unmet(
                    f"needs {key} provisioned, but Entra never provisioned it",
                    blocked_by=f"{step.id} [{self.dialect.value}]",
                )

    def _require_deactivated(self, user: DirectoryUser) -> None:
        """Re-enabling proves something only on a user the endpoint holds as inactive: if
        the disable never landed, the step is not established (never a vacuous pass)."""
        disable = f"{DISABLE_USER.id} [{self.dialect.value}]"
        entry = self.job.connector.get(user.object_id) if self.job is not None else None
        if entry is None:
            raise Unmet(
                f"needs {user.user_principal_name} provisioned and deactivated, but Entra never "
                "provisioned it",
                blocked_by=disable,
            )
        exchange = self.probe.get(f"Users/{entry.target_id}")
        body = exchange.json()
        stored = body.get("active") if isinstance(body, dict) else None
        # A user that reads active is one the disable never reached; one that cannot be
        # read at all (a server hiding inactive users) is the step's to judge.
        if exchange.status == 200 and normalize(stored, "boolean") is not False:
            raise Unmet(
                f"needs {user.user_principal_name} deactivated, but the disable never landed "
                f"({exchange.describe()}, active={stored!r}): there is nothing to re-enable",
                [exchange],
                blocked_by=disable,
            )

    def _add_member(self) -> Finding:
        self.tenant.directory.add_member(self.group.object_id, self.users["carol"].object_id)
        self._next_cycle()
        expect_members(self.state, {"alice", "bob", "carol"})
        return ok("carol added")

    def _remove_member(self) -> Finding:
        self.tenant.directory.remove_member(self.group.object_id, self.users["alice"].object_id)
        self._next_cycle()
        expect_members(self.state, {"bob", "carol"})
        return ok("alice removed, bob and carol kept")

    def _delete_user(self) -> Finding:
        carol = self.users["carol"]
        target_id = target_id_of(self.state, carol.object_id, carol.user_principal_name)
        directory = self.tenant.directory
        directory.delete_user(carol.object_id)
        self._next_cycle()
        # S3: a soft-deleted user is first updated to disabled...
        expect_active(self.state, "carol", False)
        directory.permanently_delete_user(carol.object_id)
        self._next_cycle()
        # ...and deleted when hard-deleted.
        expect_gone(self.state, "Users", target_id, carol.user_principal_name)
        return ok("carol deactivated, then deleted")

    def _delete_group(self) -> Finding:
        group = self.group
        target_id = target_id_of(self.state, group.object_id, group.display_name)
        self.tenant.directory.delete_group(group.object_id)
        self._next_cycle()
        expect_gone(self.state, "Groups", target_id, group.display_name)
        return ok("group deleted")

    def _app_roles(self) -> Finding:
        """S7 "Provisioning a role to a SCIM app": the admin maps SingleAppRoleAssignment to
        roles[primary eq "True"].value; linked users get the role by PATCH (a stringified role
        without the flag), and a user assigned afterwards by POST."""
        schema = self.probe.get(f"Schemas/{CORE_USER_SCHEMA}")
        body = schema.json()
        attributes = body.get("attributes") if isinstance(body, dict) else None
        if schema.status == 200 and isinstance(attributes, list):
            names = {str(a.get("name", "")).lower() for a in attributes if isinstance(a, dict)}
            if "roles" not in names:
                # A customer maps roles only to an attribute the app has (S7).
                raise NotApplicable(DiscoveryFact("Schemas", "roles in the User schema", False))
        # Two users of their own, so that nothing pending from earlier steps rides along:
        # frank is provisioned before the role is mapped (and gets it by PATCH), erin after
        # (and gets it in her POST).
        frank = self._add_user("frank")
        self._next_cycle()
        if self.state.started_job().connector.get(frank.object_id) is None:
            raise Unmet(
                f"needs {frank.user_principal_name} provisioned before the role is mapped, but "
                "Entra never provisioned it",
                blocked_by=f"{CREATE_USERS.id} [{self.dialect.value}]",
            )
        provisioning = self.app.provisioning
        draft = provisioning.open_attribute_mapping("User")
        draft.add_mapping(
            AttributeMapping(
                'roles[primary eq "True"].value',
                mapping_type=MappingType.EXPRESSION,
                expression="SingleAppRoleAssignment([appRoleAssignments])",
            )
        )
        provisioning.save_attribute_mapping(draft)
        self._add_user("erin")
        self._next_cycle()
        role = self.app.app_role("User").value
        for key in ("frank", "erin"):
            user = self.users[key]
            target_id = target_id_of(self.state, user.object_id, user.user_principal_name)
            read = self.probe.get(f"Users/{target_id}")
            stored = read.json()
            roles = stored.get("roles") if isinstance(stored, dict) else None
            if not any(_role_value(r) == role for r in roles or []):
                raise Mismatch(
                    f"{user.user_principal_name} reads roles {roles!r}, without its app role "
                    f"{role!r}",
                    evidence=None,
                    about=user.object_id,
                )
        return ok(f"frank (by PATCH) and erin (by POST) carry the role {role!r}")

    def _add_user(self, key: str) -> DirectoryUser:
        """A user of the run's own, assigned to the app with its User role."""
        directory = self.tenant.directory
        address = f"{self.prefix}{key}@{directory.verified_domains[0]}"
        user = directory.add_user(
            address,
            f"{key.title()} Conformance",
            given_name=key.title(),
            surname="Conformance",
            mail=address,
        )
        self.users[key] = user
        self.seeded.names[user.object_id] = {user.object_id, user.user_principal_name}
        self.app.assign(user.object_id, "User")
        return user

    # -- cycles ----------------------------------------------------------------------------

    def _next_cycle(self) -> None:
        """Let the next incremental cycle run (about 40 minutes later, §2 "Cadence")."""
        self.tenant.clock.advance(self.state.started_job().settings.cycle_interval)
        self._settle()

    def _settle(self) -> None:
        settle(
            self.state.started_job(),
            self.tenant.clock,
            retry_cycles=self.retry_cycles,
            pause=self._wait_retry_after,
        )

    def _wait_retry_after(self) -> None:
        """Wait for real as long as the endpoint asked in the step (within reason)."""
        self._sleep(min(last_retry_after(self.log.since(self.state.step_mark)), self._max_wait))

    def _check_quarantine(self, info: CheckInfo) -> None:
        job = self.state.job
        if job is not None and job.status.quarantine is not None and self._halted is None:
            reason = job.status.quarantine.reason
            self._halted = (
                f"the provisioning job is in quarantine ({reason}); Entra stops provisioning "
                "until the next retry"
            )
            self._halted_by = f"{info.id} [{self.dialect.value}]"

    def _register_created(self) -> None:
        if self.state.job is None:
            return
        for entry in self.state.job.connector.values():
            endpoint = "Users" if entry.object_type == "User" else "Groups"
            self.created.add(endpoint, entry.target_id, entry.display_name)


def _role_value(role: object) -> object:
    """A stored role's value; S7's PATCH without the flag sends the role as a JSON string
    ({"id":...,"value":...,"displayName":...}), which a server may keep as it came."""
    value = role.get("value") if isinstance(role, dict) else None
    if isinstance(value, str) and value.startswith("{"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        return parsed.get("value") if isinstance(parsed, dict) else value
    return value


__all__ = ["EntraFlow"]
