"""The Entra-faithful flow: the real provisioning engine against the endpoint under test.

A small tenant is seeded with four users and a group, all named with the run's
``provisim-conformance-`` prefix; "LinkedIn Elevate" is added from the gallery, the users
and the group are assigned, Provisioning Mode is Automatic with the endpoint as Tenant URL
(plus ``?aadOptscim062020`` for that dialect: entra-provisioning-service.md §5.3) and
the token as Secret Token. Then, as an admin would: Test Connection, Save with
Provisioning Status On (the initial cycle), and directory changes followed by the next
incremental cycle 40 virtual minutes later (§2 "Cadence"): update, rename, disable,
re-enable, add and remove members, soft and hard delete.

The engine (:class:`fake_entra.engine.ProvisioningJob`) sends exactly what Entra sends in
the dialect at hand; nothing here builds a request body. Each outcome is then checked by
reading the resource back with GET, never by trusting a status code, and a failure quotes
what the engine logged (its error code, reason and recommended action, as the provisioning
logs show them) next to the exchanges.

Retries are the engine's own (escrow, §2 "Errors and retries"): after a failure the flow
lets up to ``retry_cycles`` more cycles run. After a 429 the engine pauses for
Retry-After in virtual time; the flow also waits that long for real (capped), so the
endpoint sees a client with manners.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final
from urllib.parse import quote, urlsplit, urlunsplit

import httpx

from fake_entra.applications import EnterpriseApplication
from fake_entra.dialects import (
    AAD_OPT_SCIM_062020_FLAG,
    AD_SCIM_GROUP_SCHEMA,
    CORE_USER_SCHEMA,
    DEFAULT_USER_TARGET_TYPES,
    Dialect,
    target_type_of,
)
from fake_entra.directory import DirectoryGroup, DirectoryUser, PortalError
from fake_entra.engine import ProvisioningJob
from fake_entra.scim_client import FLAG_COMPLIANT_PATCH, FLAG_PATCH_2017, eq_filter
from fake_entra.target_values import normalize, read_value
from fake_entra.tenant import Tenant
from harness.conformance.exchanges import Exchange, ExchangeLog, list_resources
from harness.conformance.probe import ScimProbe, retry_after_seconds
from harness.conformance.resources import RESOURCE_PREFIX, CreatedResources
from harness.conformance.results import (
    CheckInfo,
    CheckResult,
    Finding,
    Scope,
    Unmet,
    bad,
    evaluate,
    ok,
)

_ENTRA: Final[frozenset[Scope]] = frozenset({"entra"})
#: The gallery app the flow configures (the tutorial's: linkedin-scim.md §6).
GALLERY_APP: Final = "LinkedIn Elevate"
#: Short dialect names for resource names (a UPN's local part allows letters, digits, "-").
_TAGS: Final = {Dialect.DEFAULT: "default", Dialect.AAD_OPT_SCIM_062020: "aadopt"}
#: The user attributes read back and compared with what the engine exported.
_COMPARED: Final = (
    "userName",
    "active",
    "displayName",
    "title",
    "externalId",
    "name.givenName",
    "name.familyName",
    'emails[type eq "work"].value',
)


def _step(check_id: str, title: str, source: str, hint: str) -> CheckInfo:
    return CheckInfo(check_id, title, source, "MUST", _ENTRA, hint)


TEST_CONNECTION = _step(
    "ENTRA-FLOW-TEST-CONNECTION",
    "Test Connection succeeds",
    "Entra S1 (Test Connection), S4; linkedin-scim.md §6 step 12",
    "Answer Entra's probe, a userName filter for a random GUID, with 200 and an empty "
    "ListResponse, and accept the token.",
)
CREATE_USERS = _step(
    "ENTRA-FLOW-CREATE-USER",
    "Assigned users are created (POST /Users) and read back as sent",
    "Entra S1 (User create), S3 (initial cycle)",
    "Accept Entra's POST /Users body (core and enterprise schemas, meta.resourceType, "
    "roles: []) and store what it carries.",
)
MATCH_USER = _step(
    "ENTRA-FLOW-MATCH-USER",
    "An existing user is matched by userName and updated, not duplicated",
    "Entra S1 (create or match), S13 (DuplicateTargetEntries)",
    "Let filter=userName eq find the existing user so that Entra updates it instead of "
    "creating a second one.",
)
CREATE_GROUP = _step(
    "ENTRA-FLOW-CREATE-GROUP",
    "An assigned group is created (POST /Groups) and read back",
    "Entra S1 (Groups)",
    "Accept Entra's POST /Groups body, which also names the schema "
    "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group.",
)
ADD_MEMBERS = _step(
    "ENTRA-FLOW-ADD-MEMBERS",
    "Group members are added by PATCH and read back",
    "Entra S1 (Update Group: add members)",
    'Apply {"op":"Add","path":"members","value":[{"$ref":null,"value":"<user id>"}]}.',
)
UPDATE_USER = _step(
    "ENTRA-FLOW-UPDATE-USER",
    "Changed attributes reach the user by PATCH (title, surname, work email)",
    "Entra S1 (User update), S2 (dialects)",
    'Apply Entra\'s PATCH: a replace of emails[type eq "work"].value and of name.familyName.',
)
UPDATE_GROUP = _step(
    "ENTRA-FLOW-UPDATE-GROUP",
    "A renamed group is renamed by PATCH",
    "Entra S1 (Update Group: non-member attributes)",
    'Apply {"op":"Replace","path":"displayName","value":"..."} on /Groups/{id}.',
)
DISABLE_USER = _step(
    "ENTRA-FLOW-DISABLE-USER",
    "A user disabled in Entra is deactivated (active false) and stays readable",
    "Entra S1 (Disable), S2 (string or boolean active)",
    'Apply the disable (active "False" in the default dialect, false with '
    "aadOptscim062020) and keep the user readable.",
)
ENABLE_USER = _step(
    "ENTRA-FLOW-ENABLE-USER",
    "A re-enabled user is reactivated (active true)",
    "Entra S1 (Disable), S3 (restore)",
    "Apply a replace of active to true on a deactivated user.",
)
ADD_MEMBER = _step(
    "ENTRA-FLOW-ADD-MEMBER",
    "A user added to the group in Entra is added to the target group",
    "Entra S1 (Update Group: add members), S3 (incremental cycle)",
    "Apply an add of members on an existing group.",
)
REMOVE_MEMBER = _step(
    "ENTRA-FLOW-REMOVE-MEMBER",
    "A user removed from the group in Entra is removed from the target group, alone",
    "Entra S1 (Update Group: remove members), S2 (members[value eq ...])",
    "Remove exactly the members named, by value array (default dialect) or by "
    'members[value eq "<id>"] (aadOptscim062020).',
)
DELETE_USER = _step(
    "ENTRA-FLOW-DELETE-USER",
    "A deleted user is deactivated, then deleted (DELETE /Users) once purged",
    "Entra S1 (Delete), S3 (soft delete disables, hard delete deletes)",
    "Answer DELETE /Users/{id} with 204 and 404 afterwards.",
)
DELETE_GROUP = _step(
    "ENTRA-FLOW-DELETE-GROUP",
    "A deleted group is deleted (DELETE /Groups)",
    "Entra S1 (Groups: DELETE /Groups/{id})",
    "Answer DELETE /Groups/{id} with 204 and 404 afterwards.",
)

#: The steps that judge what the initial cycle did (it runs inside CREATE_USERS).
_JUDGE_INITIAL_CYCLE: Final = frozenset({CREATE_USERS, MATCH_USER, CREATE_GROUP, ADD_MEMBERS})

#: Every flow step, in the order the flow runs them.
FLOW_STEPS: Final[tuple[CheckInfo, ...]] = (
    TEST_CONNECTION,
    CREATE_USERS,
    MATCH_USER,
    CREATE_GROUP,
    ADD_MEMBERS,
    UPDATE_USER,
    UPDATE_GROUP,
    DISABLE_USER,
    ENABLE_USER,
    ADD_MEMBER,
    REMOVE_MEMBER,
    DELETE_USER,
    DELETE_GROUP,
)


def tenant_url_for(url: str, dialect: Dialect) -> str:
    """The Tenant URL an admin enters for ``dialect``: the endpoint, flags removed, plus
    ``aadOptscim062020`` for the compliant dialect (S2: ``https://host/scim/?aadOptscim062020``)."""
    parts = urlsplit(url.strip())
    flags = {FLAG_COMPLIANT_PATCH, FLAG_PATCH_2017}
    items = [
        item
        for item in parts.query.split("&")
        if item and item.split("=", 1)[0].strip().lower() not in flags
    ]
    if dialect is Dialect.AAD_OPT_SCIM_062020:
        items.append(AAD_OPT_SCIM_062020_FLAG)
    return urlunsplit(parts._replace(query="&".join(items)))


class Mismatch(Exception):
    """A flow step's read-back disagrees with what Entra sent: the step fails."""

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        evidence: Sequence[Exchange] | None = None,
        *,
        about: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.evidence = evidence
        #: The source object (Entra object id) the mismatch is about, to quote its log.
        self.about = about


@dataclass(frozen=True)
class _Person:
    key: str
    given_name: str
    job_title: str


_PEOPLE: Final = (
    _Person("alice", "Alice", "Engineer"),
    _Person("bob", "Bob", "Analyst"),
    _Person("carol", "Carol", "Designer"),
    # dave exists in the target before the first cycle: Entra must match him.
    _Person("dave", "Dave", "Manager"),
)


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
        self.tag = _TAGS[self.dialect]
        self.prefix = f"{RESOURCE_PREFIX}{run_id}-{self.tag}-"
        # scim_transport: every request the engine sends goes through the run's recorder
        # and rate limiter; None would mean plain network access.
        self.tenant = Tenant(seed=seed, scim_transport=transport, scim_timeout=timeout)
        self.users: dict[str, DirectoryUser] = {}
        self.group: DirectoryGroup | None = None
        self.job: ProvisioningJob | None = None
        self.results: list[CheckResult] = []
        self._halted: str | None = None
        self._matched_id: str | None = None
        self._precreate: Exchange | None = None
        # Where the current step's exchanges start, and the initial cycle's exchanges: the
        # steps that judge what the initial cycle did carry them as evidence.
        self._step_mark = 0
        self._initial_cycle: list[Exchange] = []
        self._carried: list[Exchange] = []
        #: Every name each source object went by (UPN, display names, object id), to tell
        #: which exchanges are about it.
        self._names: dict[str, set[str]] = {}
        self._initial_started: datetime | None = None
        # The virtual time from which the current step judges the engine's log entries.
        self._since: datetime = self.tenant.clock.now()
        self.app: EnterpriseApplication = self._seed_tenant()

    # -- the flow ------------------------------------------------------------------------

    def run(self) -> list[CheckResult]:
        self._precreate_matched_user()
        steps: tuple[tuple[CheckInfo, Callable[[], Finding]], ...] = (
            (TEST_CONNECTION, self._test_connection),
            (CREATE_USERS, self._created_users),
            (MATCH_USER, self._matched_user),
            (CREATE_GROUP, self._created_group),
            (ADD_MEMBERS, self._initial_members),
            (UPDATE_USER, self._update_user),
            (UPDATE_GROUP, self._update_group),
            (DISABLE_USER, self._disable_user),
            (ENABLE_USER, self._enable_user),
            (ADD_MEMBER, self._add_member),
            (REMOVE_MEMBER, self._remove_member),
            (DELETE_USER, self._delete_user),
            (DELETE_GROUP, self._delete_group),
        )
        try:
            for info, body in steps:
                if self._on_start is not None:
                    self._on_start(info, self.dialect.value)
                result = evaluate(
                    info,
                    self.log,
                    lambda info=info, body=body: self._guarded(info, body),
                    dialect=self.dialect.value,
                )
                self.results.append(result)
                if self._on_result is not None:
                    self._on_result(result)
        finally:
            # Even when interrupted: what the engine created must reach the clean-up.
            self._register_created()
        return self.results

    def _guarded(self, info: CheckInfo, body: Callable[[], Finding]) -> Finding:
        if self._halted is not None:
            raise Unmet(self._halted)
        initial = info in _JUDGE_INITIAL_CYCLE and self._initial_started is not None
        self._since = self._initial_started if initial else self.tenant.clock.now()
        self._carried = self._initial_cycle if info in _JUDGE_INITIAL_CYCLE else []
        self._step_mark = self.log.mark()
        try:
            return body()
        except Mismatch as mismatch:
            detail = self._engine_errors(mismatch.about)
            message = mismatch.message + (f". Entra logged: {detail}" if detail else "")
            evidence = mismatch.evidence
            if evidence is None:
                # What the step sent (and for the initial cycle's steps, what that cycle
                # sent), the exchanges about the object in question first.
                sent = [*self._carried, *self.log.since(self._step_mark)]
                evidence = self._about(sent, mismatch.about) or sent
            return bad(message, mismatch.hint or self._hint(mismatch.about), evidence)
        except PortalError as error:
            return bad(f"the Entra admin center refused a step: {error}")
        finally:
            self._check_quarantine()

    # -- setup -----------------------------------------------------------------------------

    def _seed_tenant(self) -> EnterpriseApplication:
        """The tenant as an admin leaves it before Test Connection (no request sent yet)."""
        tenant = self.tenant
        tenant.sign_in()
        directory = tenant.directory
        domain = directory.verified_domains[0]
        for person in _PEOPLE:
            local = f"{self.prefix}{person.key}"
            self.users[person.key] = directory.add_user(
                f"{local}@{domain}",
                f"{person.given_name} Conformance",
                given_name=person.given_name,
                surname="Conformance",
                mail=f"{local}@{domain}",
                job_title=person.job_title,
                department="SCIM conformance",
            )
        self.group = directory.add_group(
            f"{self.prefix}group",
            members=[self.users["alice"].object_id, self.users["bob"].object_id],
        )
        for user in self.users.values():
            self._names[user.object_id] = {user.object_id, user.user_principal_name}
        self._names[self.group.object_id] = {self.group.object_id, self.group.display_name}
        app = tenant.add_from_gallery(GALLERY_APP, f"provisim conformance ({self.dialect})")
        # Users are assigned directly as well, so that a membership change never takes a
        # user out of scope (S3: group membership only counts for direct members).
        for user in self.users.values():
            app.assign(user.object_id, "User")
        app.assign(self.group.object_id, "User")
        app.provisioning.set_provisioning_mode("Automatic")
        app.provisioning.set_admin_credentials(self.tenant_url, self.token)
        return app

    # -- steps -----------------------------------------------------------------------------

    def _test_connection(self) -> Finding:
        result = self.app.provisioning.test_connection()
        if not result.succeeded:
            return bad(f"Test Connection failed: {result.message}")
        return ok(result.message)

    def _precreate_matched_user(self) -> None:
        dave = self.users["dave"]
        body = {
            "schemas": [CORE_USER_SCHEMA],
            "userName": dave.user_principal_name,
            "displayName": "Dave (created before Entra)",
            "name": {"givenName": "Dave", "familyName": "Before"},
            "active": True,
        }
        exchange = self.probe.post("Users", body)
        found = exchange.json()
        if exchange.status in (200, 201) and isinstance(found, dict) and found.get("id"):
            self._matched_id = str(found["id"])
            self.created.add("Users", self._matched_id, dave.user_principal_name)
        self._precreate = exchange

    def _created_users(self) -> Finding:
        # Save does not depend on Test Connection: an admin may save anyway, and the cycles
        # show what else breaks.
        provisioning = self.app.provisioning
        self.job = ProvisioningJob(self.app, self.tenant.clock, seed=self.tenant.seed)
        self._initial_started = self._since = self.tenant.clock.now()
        provisioning.set_provisioning_status("On")
        provisioning.save()  # Provisioning Status On + Save: the initial cycle runs now.
        self._settle()
        self._initial_cycle = [e for e in self.log.since(self._step_mark) if e.origin == "entra"]
        for key in ("alice", "bob", "carol"):
            self._compare_user(key)
        return ok("alice, bob and carol were created and read back as sent")

    def _matched_user(self) -> Finding:
        if self._matched_id is None:
            sent = [self._precreate] if self._precreate is not None else []
            what = sent[0].describe() if sent else "it was never sent"
            raise Unmet(f"needs a user created before the first cycle, but {what}", sent)
        dave = self.users["dave"]
        target_id = self._target_id(dave.object_id, dave.user_principal_name)
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
            raise Mismatch(f"filter userName eq for the matched user gives {count}", None, [query])
        self._compare_user("dave")
        return ok(f"matched {self._matched_id} and updated it by PATCH")

    def _created_group(self) -> Finding:
        group = self._group()
        self._compare_group({"displayName": group.display_name, "externalId": group.object_id})
        return ok("the group was created and reads back as sent")

    def _initial_members(self) -> Finding:
        self._expect_members({"alice", "bob"})
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
        resource = self._compare_user("alice")
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

    def _update_group(self) -> Finding:
        group = self._group()
        self.tenant.directory.rename_group(group.object_id, f"{self.prefix}group-renamed")
        self._names[group.object_id].add(group.display_name)
        self._next_cycle()
        self._compare_group({"displayName": group.display_name})
        return ok(f"renamed to {group.display_name}")

    def _disable_user(self) -> Finding:
        bob = self.users["bob"]
        self.tenant.directory.update_user(bob.object_id, account_enabled=False)
        self._next_cycle()
        self._expect_active("bob", False)
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
        self.tenant.directory.update_user(bob.object_id, account_enabled=True)
        self._next_cycle()
        self._expect_active("bob", True)
        return ok("bob reads active true")

    def _add_member(self) -> Finding:
        self.tenant.directory.add_member(self._group().object_id, self.users["carol"].object_id)
        self._next_cycle()
        self._expect_members({"alice", "bob", "carol"})
        return ok("carol added")

    def _remove_member(self) -> Finding:
        self.tenant.directory.remove_member(self._group().object_id, self.users["alice"].object_id)
        self._next_cycle()
        self._expect_members({"bob", "carol"})
        return ok("alice removed, bob and carol kept")

    def _delete_user(self) -> Finding:
        carol = self.users["carol"]
        target_id = self._target_id(carol.object_id, carol.user_principal_name)
        directory = self.tenant.directory
        directory.delete_user(carol.object_id)
        self._next_cycle()
        # S3: a soft-deleted user is first updated to disabled...
        self._expect_active("carol", False)
        directory.permanently_delete_user(carol.object_id)
        self._next_cycle()
        # ...and deleted when hard-deleted.
        self._expect_gone("Users", target_id, carol.user_principal_name)
        return ok("carol deactivated, then deleted")

    def _delete_group(self) -> Finding:
        group = self._group()
        target_id = self._target_id(group.object_id, group.display_name)
        self.tenant.directory.delete_group(group.object_id)
        self._next_cycle()
        self._expect_gone("Groups", target_id, group.display_name)
        return ok("group deleted")

    # -- cycles ----------------------------------------------------------------------------

    def _next_cycle(self) -> None:
        """Let the next incremental cycle run (about 40 minutes later, §2 "Cadence")."""
        job = self._job()
        self.tenant.clock.advance(job.settings.cycle_interval)
        self._settle()

    def _settle(self) -> None:
        """Let the engine retry what failed: after Retry-After, or in the next cycles."""
        job = self._job()
        clock = self.tenant.clock
        # Each Retry-After pause and each escrow retry cycle counts as one round. Escrow
        # retries go on only while they help: a 400 that comes back every cycle is no
        # transient failure, and retrying it would only load the endpoint.
        escrowed: int | None = None
        for _ in range(2 * self.retry_cycles):
            if job.status.quarantine is not None:
                return
            suspended = job.cycle_suspended
            if not suspended:
                if not job.escrows or (escrowed is not None and len(job.escrows) >= escrowed):
                    return
                escrowed = len(job.escrows)
            due = clock.next_due()
            if due is None or due - clock.now() > job.settings.cycle_interval + timedelta(hours=1):
                return  # nothing of the job's is due (a purge timer is not a retry)
            if suspended:
                # Entra pauses for Retry-After (§2) on the virtual clock; the run also waits
                # for real, as long as the endpoint asked (within reason).
                self._sleep(min(self._retry_after(), self._max_wait))
            clock.advance_to(due)

    def _retry_after(self) -> float:
        """The Retry-After of the engine's last throttled request, in seconds."""
        for exchange in reversed(self.log.since(self._step_mark)):
            if exchange.origin == "entra" and exchange.status == 429:
                return retry_after_seconds(exchange.header("retry-after"), exchange.header("date"))
        return 1.0

    def _check_quarantine(self) -> None:
        job = self.job
        if job is not None and job.status.quarantine is not None and self._halted is None:
            reason = job.status.quarantine.reason
            self._halted = (
                f"the provisioning job is in quarantine ({reason}); Entra stops provisioning "
                "until the next retry"
            )

    # -- read-backs ------------------------------------------------------------------------

    def _job(self) -> ProvisioningJob:
        if self.job is None:
            raise Unmet("the provisioning job was never started")
        return self.job

    def _group(self) -> DirectoryGroup:
        assert self.group is not None  # seeded in _seed_tenant
        return self.group

    def _target_id(self, source_id: str, name: str) -> str:
        entry = self._job().connector.get(source_id)
        if entry is None:
            raise Mismatch(f"Entra did not provision {name}", about=source_id)
        return entry.target_id

    def _read(self, endpoint: str, target_id: str) -> dict[str, Any]:
        exchange = self.probe.get(f"{endpoint}/{target_id}")
        body = exchange.json()
        if exchange.status != 200 or not isinstance(body, dict):
            raise Mismatch(f"reading back: {exchange.describe()}, expected 200", None, [exchange])
        return body

    def _compare_user(self, key: str) -> dict[str, Any]:
        user = self.users[key]
        name = user.user_principal_name
        self._exported(user.object_id, name)
        entry = self._job().connector.get(user.object_id)
        if entry is None:
            raise Mismatch(f"Entra did not provision {name}", about=user.object_id)
        resource = self._read("Users", entry.target_id)
        wanted = {path: entry.exported[path] for path in _COMPARED if path in entry.exported}
        self._expect_values(resource, wanted, name, user.object_id)
        return resource

    def _compare_group(self, wanted: dict[str, Any]) -> None:
        group = self._group()
        self._exported(group.object_id, group.display_name)
        target_id = self._target_id(group.object_id, group.display_name)
        resource = self._read("Groups", target_id)
        self._expect_values(resource, wanted, "the group", group.object_id)

    def _expect_values(
        self, resource: dict[str, Any], wanted: dict[str, Any], what: str, about: str
    ) -> None:
        wrong = []
        for path, sent in wanted.items():
            kind = target_type_of(path, DEFAULT_USER_TARGET_TYPES, sent)
            stored = read_value(resource, path)
            expected, actual = normalize(sent, kind), normalize(stored, kind)
            if path == "userName" and isinstance(expected, str) and isinstance(actual, str):
                # RFC 7643 §4.1.1: userName is caseExact false.
                expected, actual = expected.lower(), actual.lower()
            if expected != actual:
                wrong.append(f"{path}: sent {sent!r}, read back {stored!r}")
        if wrong:
            raise Mismatch(
                f"{what} does not read back as Entra sent it: " + "; ".join(wrong),
                "Store what Entra sends and return it on GET.",
                about=about,
            )

    def _expect_active(self, key: str, active: bool) -> None:
        user = self.users[key]
        self._exported(user.object_id, user.user_principal_name)
        target_id = self._target_id(user.object_id, user.user_principal_name)
        resource = self._read("Users", target_id)
        stored = resource.get("active")
        if normalize(stored, "boolean") is not active:
            raise Mismatch(
                f"{user.user_principal_name} reads active={stored!r} after Entra set it to "
                f"{active}",
                about=user.object_id,
                hint=None
                if self._refused_in_step()
                else (
                    "The PATCH of active was acknowledged but not applied (Cogtrix#122): apply "
                    "it, so deprovisioning does deprovision."
                ),
            )

    def _expect_members(self, keys: set[str]) -> None:
        group = self._group()
        self._exported(group.object_id, group.display_name)
        target_id = self._target_id(group.object_id, group.display_name)
        resource = self._read("Groups", target_id)
        members = resource.get("members") or []
        found = {str(m.get("value")) for m in members if isinstance(m, dict)}
        wanted: dict[str, str] = {}
        for key in keys:
            user = self.users[key]
            wanted[self._target_id(user.object_id, user.user_principal_name)] = key
        missing = sorted(wanted[i] for i in set(wanted) - found)
        ours = {
            self._job().connector[u.object_id].target_id: k
            for k, u in self.users.items()
            if u.object_id in self._job().connector
        }
        extra = sorted(ours[i] for i in found - set(wanted) if i in ours)
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing {', '.join(missing)}")
            if extra:
                parts.append(f"still holding {', '.join(extra)}")
            raise Mismatch(
                f"the group's members are wrong: {'; '.join(parts)}", about=group.object_id
            )

    def _expect_gone(self, endpoint: str, target_id: str, name: str) -> None:
        deletes = [
            e
            for e in self.log.all()
            if e.method == "DELETE" and e.url.split("?", 1)[0].endswith(f"/{endpoint}/{target_id}")
        ]
        if not deletes:
            raise Mismatch(f"Entra never sent DELETE for {name}")
        exchange = self.probe.get(f"{endpoint}/{target_id}")
        if exchange.status != 404:
            raise Mismatch(
                f"after DELETE, GET {endpoint}/{{id}} answers {exchange.status}, expected 404",
                "Delete the resource on DELETE and answer 404 for it afterwards (RFC 7644 §3.6).",
                [*deletes[-1:], exchange],
            )

    # -- explanations ----------------------------------------------------------------------

    def _failures(self, about: str | None = None, *, whole_run: bool = False) -> list[Any]:
        """The engine's failed log entries in the step (or the run), about one object or all."""
        if self.job is None:
            return []
        since = None if whole_run else self._since
        entries = self.job.log.query(status="failure", since=since)
        if about is not None:
            entries = [e for e in entries if e.source_identity.id == about]
        return entries

    def _engine_errors(self, about: str | None) -> str:
        # The object's failures in this step; else earlier ones (an escrowed object is held
        # back by a failure of a previous cycle); else whatever failed in this step.
        entries = (
            self._failures(about)
            or (self._failures(about, whole_run=True) if about is not None else [])
            or self._failures()
        )
        texts = []
        for entry in entries:
            error = entry.error
            if error is None:
                continue
            text = f"{error.error_code} for {entry.source_identity.display_name}: {error.reason}"
            if error.additional_details:
                text += f" ({error.additional_details})"
            texts.append(text)
        unique = list(dict.fromkeys(texts))
        shown = "; ".join(unique[:3])
        return shown + (f"; and {len(unique) - 3} more" if len(unique) > 3 else "")

    def _exported(self, source_id: str, name: str) -> None:
        """The engine's last word on the object in this step must not be a failure: a
        failed export leaves the target as it was, which a read-back alone would miss."""
        if self.job is None:
            return
        entries = [
            e for e in self.job.log.query(since=self._since) if e.source_identity.id == source_id
        ]
        if entries and entries[-1].error is not None and entries[-1].status_display == "Failure":
            raise Mismatch(f"Entra could not export the changes to {name}", about=source_id)

    def _refused_in_step(self) -> list[Exchange]:
        """The engine's requests the endpoint refused (4xx) during the current step."""
        return [
            e
            for e in [*self._carried, *self.log.since(self._step_mark)]
            if e.origin == "entra" and e.status is not None and 400 <= e.status < 500
        ]

    def _about(self, exchanges: Sequence[Exchange], source_id: str | None) -> list[Exchange]:
        """The exchanges that name the object: its target id, UPN, display name or id."""
        if source_id is None:
            return []
        needles = set(self._names.get(source_id, ()))
        entry = self.job.connector.get(source_id) if self.job is not None else None
        if entry is not None:
            needles.add(entry.target_id)
        needles |= {quote(n, safe="") for n in needles}
        return [
            e
            for e in exchanges
            if any(n in e.url or n in e.request_body.decode("utf-8", "replace") for n in needles)
        ]

    def _hint(self, about: str | None) -> str | None:
        """A hint from what the endpoint refused of the engine's requests, in Entra's
        terms: about the object in question first, in this step, then earlier."""
        everything = [
            e
            for e in self.log.all()
            if e.origin == "entra" and e.status is not None and 400 <= e.status < 500
        ]
        for pool in (
            self._about(self._refused_in_step(), about),
            self._about(everything, about),
            self._refused_in_step(),
        ):
            for exchange in reversed(pool):
                hint = refusal_hint(self.dialect, exchange)
                if hint is not None:
                    return hint
        return None

    def _register_created(self) -> None:
        if self.job is None:
            return
        for entry in self.job.connector.values():
            endpoint = "Users" if entry.object_type == "User" else "Groups"
            self.created.add(endpoint, entry.target_id, entry.display_name)


def refusal_hint(dialect: Dialect, exchange: Exchange) -> str | None:
    """Why the endpoint may have refused one of Entra's requests, and what to do; None
    when nothing more specific than the step's own hint can be said."""
    error = exchange.json()
    scim_type = error.get("scimType") if isinstance(error, dict) else None
    body = exchange.request_json()
    path = exchange.path.split("?", 1)[0]
    if exchange.status in (401, 403):
        return "The endpoint refused Entra's token: keep the Secret Token valid for the job's life."
    if exchange.method == "GET" and exchange.status == 404 and "filter=" in exchange.path:
        return (
            "Answer a query that matches nothing with 200 and an empty ListResponse, never "
            "404 (S1; Entra quarantines the job, S4)."
        )
    if exchange.method == "POST" and exchange.status == 409:
        return (
            "Entra's filter did not find the existing resource, so it created it again and met "
            "409: let filter=userName eq (displayName eq for groups) find it, case-insensitively."
        )
    schemas = body.get("schemas") if isinstance(body, dict) else None
    if (
        exchange.method == "POST"
        and path.endswith("/Groups")
        and AD_SCIM_GROUP_SCHEMA in (schemas or [])
    ):
        return (
            "Accept the second schema URN Entra names on POST /Groups "
            f"({AD_SCIM_GROUP_SCHEMA}, S1): ignore schema URNs you do not serve instead of "
            "refusing the group."
        )
    if exchange.method == "PATCH":
        return patch_hint(dialect, exchange, scim_type)
    return None


def patch_hint(dialect: Dialect, exchange: Exchange, scim_type: str | None = None) -> str | None:
    """Why the endpoint may have refused one of Entra's PATCH bodies, and what to do."""
    body = exchange.request_json()
    operations = body.get("Operations") if isinstance(body, dict) else None
    if not isinstance(operations, list):
        return None
    ops = [op for op in operations if isinstance(op, dict)]
    # The server's own scimType says most: noTarget on a value path is no dialect matter.
    if scim_type == "noTarget" and any("[" in str(o.get("path", "")) for o in ops):
        return (
            'Create the element when Entra adds or replaces emails[type eq "work"].value and '
            "the user has none (S1; scim-for-keycloak#73)."
        )
    flag = "append ?aadOptscim062020 to the Tenant URL for RFC-style PATCH (S2)"
    if dialect is Dialect.DEFAULT:
        # The member removal first: it is the more specific shape of the two.
        if any(str(o.get("op")).lower() == "remove" and "value" in o for o in ops):
            return (
                "Entra's default dialect removes members with a capitalised op and a value "
                'array ({"op":"Remove","path":"members","value":[{"value":"<id>"}]}): accept '
                "it and remove exactly those members (azure-docs#30826), or have customers "
                f"{flag}."
            )
        if any(isinstance(o.get("op"), str) and o["op"] != o["op"].lower() for o in ops):
            return (
                "Entra's default dialect capitalises op names (Add, Replace, Remove) and sends "
                'booleans as the strings "True"/"False" (S1, S2): accept them, or have '
                f"customers {flag}."
            )
    return None


__all__ = [
    "FLOW_STEPS",
    "GALLERY_APP",
    "EntraFlow",
    "Mismatch",
    "patch_hint",
    "refusal_hint",
    "tenant_url_for",
]
