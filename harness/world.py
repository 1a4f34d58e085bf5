"""The scenario world: everything one scenario has built, and the verbs its steps use.

The step library (:mod:`harness.steps`) stays small because each step is one call here, in
the tutorial's words: the Entra tenant and its admin center, the enterprise application and
its provisioning job, LinkedIn's Account Center, the SCIM target, the recorded traffic and
what the portal last said. The pytest plugin builds one :class:`World` per scenario from its
fixtures (``clock``, ``tenant``, ``scim_target``, ``recorder``).

People and groups are named in steps by display name ("Britta Simon", "Sales"). Against a
live SCIM target their user principal names and group names carry a per-scenario prefix
("provisim-1a2b3c4d-"), so concurrent or earlier runs never collide, and :meth:`World.close`
deletes from the target whatever the scenario provisioned there.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from fake_elevate.account_center import AccountCenterError, hash_token
from fake_elevate.faults import parse_fault_options, with_faults
from fake_entra.applications import EnterpriseApplication
from fake_entra.clock import VirtualClock
from fake_entra.directory import DirectoryUser, ObjectType, PortalError
from fake_entra.engine import OnDemandResult, ProvisioningJob
from fake_entra.logs import ProvisioningAction, ProvisioningObjectSummary, ProvisioningResult
from fake_entra.mappings import (
    GROUP_MAPPING_NAME,
    USER_MAPPING_NAME,
    AttributeMapping,
    MappingType,
    ObjectMapping,
)
from fake_entra.outbox import Outbox
from fake_entra.provisioning import (
    ConnectionTestResult,
    DefaultAccessRule,
    NotificationLevel,
    PortalNotification,
    ProvisioningConfiguration,
)
from fake_entra.scim_client import TenantUrl
from fake_entra.scoping import ScopingClause, ScopingFilter, ScopingOperator
from fake_entra.target_values import read_value
from fake_entra.tenant import Tenant
from harness.network import CannedResponse
from harness.recorder import CycleRecord, Exchange, TrafficRecorder, is_sync_cycle
from harness.target import ScimTarget

if TYPE_CHECKING:
    from fake_elevate.account_center import ScimConfiguration
    from fake_elevate.elevate import FakeElevate

T = TypeVar("T")

#: The prefix of every user and group a scenario creates against a live target.
LIVE_PREFIX = "provisim-"
#: The Notification Email the compact setup enters (tutorial step 13).
ADMIN_EMAIL = "admin@contoso.com"
GALLERY_APP = "LinkedIn Elevate"

#: Directory attributes by the names the portal shows, for "the job title of ... changes".
USER_ATTRIBUTES: dict[str, str] = {
    "display name": "display_name",
    "given name": "given_name",
    "surname": "surname",
    "job title": "job_title",
    "department": "department",
    "mail": "mail",
    "employee ID": "employee_id",
    "office": "physical_delivery_office_name",
    "city": "city",
    "country": "country",
    "mobile phone": "mobile",
    "preferred language": "preferred_language",
}


class Refused(AssertionError):
    """What a step expected of the portal or of Account Center did not happen."""


@dataclass(frozen=True)
class Refusal:
    """What the portal or Account Center said when it refused an action."""

    action: str
    message: str


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", ".", folded.lower()).strip(".")


class _Names(dict[str, str]):
    """The scenario's names for directory objects; an unknown name fails the step clearly."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def __missing__(self, name: str) -> str:
        # Steps index by the name the scenario wrote ("Britta Simon"): a typo must read as
        # the scenario's mistake, not as a KeyError from the harness.
        raise AssertionError(
            f'No {self.kind} "{name}" was added to the directory in this scenario.'
        )


class World:
    """One scenario's Entra tenant, LinkedIn account, SCIM target and what happened."""

    def __init__(
        self,
        *,
        clock: VirtualClock,
        tenant: Tenant,
        target: ScimTarget,
        recorder: TrafficRecorder,
        seed: int = 0,
        scenario_key: str = "scenario",
    ) -> None:
        self.clock = clock
        self.tenant = tenant
        self.target = target
        self.recorder = recorder
        self.seed = seed
        self.prefix = f"{LIVE_PREFIX}{scenario_key}-" if target.is_live else ""
        self.users: dict[str, str] = _Names("user")
        #: Kept apart from the directory: a purged user's name still finds its account.
        self.user_principal_names: dict[str, str] = {}
        self.groups: dict[str, str] = {}
        self.jobs: dict[str, ProvisioningJob] = {}
        self.app: EnterpriseApplication | None = None
        # Account Center (tutorial steps 1-6).
        self.configuration: ScimConfiguration | None = None
        self.tokens: list[str] = []
        self.shown_token: str | None = None
        # What the last actions left behind.
        self.refusal: Refusal | None = None
        self.connection_test: ConnectionTestResult | None = None
        self.on_demand: OnDemandResult | None = None
        self.mapping_draft: ObjectMapping | None = None
        self.seeded_user_names: list[str] = []
        #: Where the recorded traffic and the timeline stood when the last When step began.
        self.exchange_mark = 0
        self.cycle_mark = 0
        self.target_names: dict[str, str] = {}
        recorder.exchange_listeners.append(self._learn_names)

    # -- bookkeeping ------------------------------------------------------------------------

    def mark(self) -> None:
        """A When step begins: "no SCIM request was sent" counts from here."""
        self.exchange_mark = len(self.recorder.exchanges)
        self.cycle_mark = len(self.recorder.timeline)

    def attempt(self, action: str, do: Callable[[], T]) -> T | None:
        """Do ``action``; if the portal or Account Center refuses, keep the refusal."""
        self.refusal = None
        try:
            return do()
        except (PortalError, AccountCenterError) as error:
            self.refusal = Refusal(action, str(error))
            return None

    def expect_refusal(self, text: str) -> Refusal:
        refusal = self.refusal
        if refusal is None:
            raise Refused(f'Expected a refusal saying "{text}", but the last action succeeded.')
        if text.lower() not in refusal.message.lower():
            raise Refused(f'"{refusal.action}" was refused with "{refusal.message}", not "{text}".')
        self.refusal = None
        return refusal

    # -- LinkedIn Account Center (tutorial steps 1-6) -----------------------------------------

    @property
    def elevate(self) -> FakeElevate:
        return self.target.require_elevate("LinkedIn Account Center")

    def add_scim_configuration(self, name: str, *, auto_assign: bool, seats: int) -> None:
        """Admin > Admin Settings > Advanced Integrations > + Add new SCIM configuration."""
        center = self.elevate.account_center
        self.configuration = center.add_scim_configuration(name, auto_assign_licenses=auto_assign)
        center.set_license_pool(
            self.configuration.application_instance, self.configuration.license_type, seats
        )
        self.shown_token = None

    def generate_token(self) -> str:
        """Generate token: shown once under "Access token"; the previous one is revoked."""
        if self.configuration is None:
            raise Refused("Add a SCIM configuration in Account Center before generating a token.")
        token = self.elevate.account_center.generate_token(self.configuration.id)
        self.recorder.add_secret(token)
        self.tokens.append(token)
        self.shown_token = token
        return token

    def reopen_scim_configuration(self) -> dict[str, object]:
        """Leave Advanced Integrations and open the configuration again: no token on it."""
        self.shown_token = None
        return self.current_configuration().to_json()

    def current_configuration(self) -> ScimConfiguration:
        if self.configuration is None:
            raise Refused("No SCIM configuration was added in Account Center.")
        return self.elevate.account_center.scim_configuration(self.configuration.id)

    def licensed_user(self, name: str) -> Any:
        """Account Center's record of the provisioned user ``name``."""
        found = self.target_user(name)
        if found is None:
            raise AssertionError(f"{name} was never provisioned to LinkedIn.")
        record = self.elevate.account_center.user(str(found["id"]))
        if record is None:
            raise AssertionError(f"Account Center has no record of {name}.")
        return record

    def license_pool(self) -> Any:
        config = self.current_configuration()
        pool = self.elevate.account_center.license_pool(
            config.application_instance, config.license_type
        )
        if pool is None:
            raise AssertionError("The SCIM configuration's licence pool has no seats set.")
        return pool

    def token_stored_as_hash(self, token: str) -> bool:
        """Account Center keeps the token's hash and nothing that shows the token."""
        config = self.current_configuration()
        return config.token_hash == hash_token(token) and token not in repr(config.to_json())

    def target_token(self) -> str:
        """The Secret Token the admin pastes: a live target's, else Account Center's newest."""
        if self.target.is_live:
            if self.target.token is None:
                raise RuntimeError(
                    f"The live SCIM target {self.target.tenant_url} was set up without its "
                    "Secret Token."
                )
            return self.target.token
        if not self.tokens:
            # The compact setup: tutorial steps 1-6 done off-stage.
            self.add_scim_configuration("Entra ID provisioning", auto_assign=True, seats=100)
            self.generate_token()
        return self.tokens[-1]

    # -- the Microsoft Entra admin center -----------------------------------------------------

    def sign_in(self, role: str) -> None:
        self.tenant.sign_in(role)

    def add_user(self, name: str, **attributes: Any) -> DirectoryUser:
        """Users > New user, named "Given Surname"; the UPN is derived from the name."""
        given, _, surname = name.partition(" ")
        upn = f"{self.prefix}{_ascii(name)}@{self.tenant.directory.default_domain}"
        attributes.setdefault("given_name", given)
        attributes.setdefault("surname", surname or None)
        attributes.setdefault("mail", upn)
        user = self.tenant.directory.add_user(upn, name, **attributes)
        self.users[name] = user.object_id
        self.user_principal_names[name] = upn
        return user

    def user(self, name: str) -> DirectoryUser:
        if name not in self.users:
            raise AssertionError(f'No user "{name}" was added to the directory in this scenario.')
        return self.tenant.directory.get_user(self.users[name])

    def group_name(self, name: str) -> str:
        """The group's display name in Entra and in the target."""
        return f"{self.prefix}{name}"

    def add_group(self, name: str, members: list[str]) -> str:
        group = self.tenant.directory.add_group(
            self.group_name(name), members=[self.users[m] for m in members]
        )
        self.groups[name] = group.object_id
        return group.object_id

    def group_id(self, name: str) -> str:
        if name not in self.groups:
            raise AssertionError(f'No group "{name}" was added to the directory in this scenario.')
        return self.groups[name]

    def principal_id(self, name: str) -> str:
        """A user or a group, by the name the scenario gave it."""
        if name in self.users:
            return self.users[name]
        return self.group_id(name)

    def change_user(self, name: str, attribute: str, value: str | None) -> None:
        if attribute not in USER_ATTRIBUTES:
            known = ", ".join(USER_ATTRIBUTES)
            raise AssertionError(f'"{attribute}" is not a user attribute here; use one of {known}.')
        self.tenant.directory.update_user(self.users[name], **{USER_ATTRIBUTES[attribute]: value})

    def add_application(self, name: str, display_name: str | None = None) -> EnterpriseApplication:
        """Enterprise applications > + New application > the gallery app > Create."""
        app = self.tenant.add_from_gallery(name, display_name)
        job = ProvisioningJob(app, self.clock, seed=self.seed)
        self.recorder.watch(job)
        self.jobs[app.object_id] = job
        self.app = app
        return app

    def open_application(self, name: str) -> EnterpriseApplication:
        self.app = self.tenant.find_application(name)
        return self.app

    @property
    def application(self) -> EnterpriseApplication:
        if self.app is None:
            raise AssertionError("No enterprise application was added or opened yet.")
        return self.app

    @property
    def provisioning(self) -> ProvisioningConfiguration:
        return self.application.provisioning

    @property
    def job(self) -> ProvisioningJob:
        return self.jobs[self.application.object_id]

    @property
    def outbox(self) -> Outbox:
        """The emails the current application's provisioning job sent."""
        return self.job.outbox

    # -- the Provisioning page ---------------------------------------------------------------

    def tenant_url(self, flag: str | None = None) -> str:
        """The target's Tenant URL, with a behaviour flag in its query string (§5.3)."""
        url = self.target.tenant_url
        if flag is None:
            return url
        if "?" in url:
            return f"{url}&{flag}"
        return f"{url.rstrip('/')}/?{flag}"

    def enter_credentials(self, tenant_url: str, token: str) -> None:
        self.recorder.add_secret(token)
        self.provisioning.set_admin_credentials(tenant_url, token)

    def test_connection(self) -> ConnectionTestResult:
        self.connection_test = self.provisioning.test_connection()
        return self.connection_test

    def set_up_provisioning(self, app_name: str = GALLERY_APP, flag: str | None = None) -> None:
        """Tutorial steps 7-14 in one go: to the point where Provisioning Status can go On."""
        if self.tenant.session is None:
            self.sign_in("Cloud Application Administrator")
        found = self.tenant.enterprise_applications.search(app_name)
        if found:
            self.app = found[0]
        else:
            self.add_application(app_name)
        page = self.provisioning
        page.set_provisioning_mode("Automatic")
        self.enter_credentials(self.tenant_url(flag), self.target_token())
        result = self.test_connection()
        if not result.succeeded:
            raise AssertionError(f"Test Connection failed while setting up: {result.message}")
        page.set_notification_email(ADMIN_EMAIL, send_email_on_failure=True)
        page.save()

    def set_provisioning_status(self, status: str) -> None:
        """Settings > Provisioning Status, then Save (tutorial steps 16-17)."""
        self.provisioning.set_provisioning_status(status)
        self.provisioning.save()

    def evaluate_default_access_like_any_role(self) -> None:
        self.provisioning.set_default_access_rule(DefaultAccessRule.LIKE_ANY_ROLE)

    def last_notification(self, level: str | None = None) -> PortalNotification:
        """The newest notification, or the newest of a level (Success, Error, Information)."""
        wanted = None if level is None else NotificationLevel(level)
        for notification in reversed(self.tenant.notifications):
            if wanted is None or notification.level is wanted:
                return notification
        raise AssertionError(
            "No portal notification appeared"
            + ("" if level is None else f" at the level {level}")
            + "."
        )

    # -- Attribute Mappings (tutorial step 15) --------------------------------------------------

    def _source_object(self, mapping_name: str) -> ObjectType:
        names = {USER_MAPPING_NAME: ObjectType.USER, GROUP_MAPPING_NAME: ObjectType.GROUP}
        if mapping_name not in names:
            raise AssertionError(
                f'No mapping "{mapping_name}"; the Mappings list has {list(names)}.'
            )
        return names[mapping_name]

    def open_mapping(self, mapping_name: str) -> ObjectMapping:
        """Select a mapping in the Mappings list: a draft to edit."""
        self.mapping_draft = self.provisioning.open_attribute_mapping(
            self._source_object(mapping_name)
        )
        return self.mapping_draft

    def draft_mapping(self) -> ObjectMapping:
        if self.mapping_draft is None:
            raise AssertionError("No attribute mapping is open.")
        return self.mapping_draft

    def saved_mapping(self, mapping_name: str) -> ObjectMapping:
        if self._source_object(mapping_name) is ObjectType.USER:
            return self.provisioning.user_mapping
        return self.provisioning.group_mapping

    def map_attribute(self, target: str, kind: str, value: str) -> None:
        """Edit the mapping to ``target`` (or add one) as a Direct, Constant or Expression."""
        mapping_type = MappingType(kind)
        draft = self.draft_mapping()
        fields: dict[str, Any] = {
            "mapping_type": mapping_type,
            "source_attribute": value if mapping_type is MappingType.DIRECT else None,
            "constant_value": value if mapping_type is MappingType.CONSTANT else None,
            "expression": value if mapping_type is MappingType.EXPRESSION else None,
        }
        if any(m.target_attribute == target for m in draft.attribute_mappings):
            draft.edit_mapping(target, **fields)
        else:
            draft.add_mapping(AttributeMapping(target, **fields))

    def set_matching(self, target: str, precedence: int | None) -> None:
        self.draft_mapping().edit_mapping(target, matching_precedence=precedence)

    def add_scoping_filter(self, title: str, attribute: str, operator: str, value: str) -> None:
        clause = ScopingClause(attribute, ScopingOperator(operator), value)
        self.draft_mapping().add_scoping_filter(ScopingFilter(title, [clause]))

    def save_mapping(self) -> None:
        self.provisioning.save_attribute_mapping(self.draft_mapping())

    # -- time and cycles ---------------------------------------------------------------------

    def advance(self, delta: timedelta) -> None:
        self.clock.advance(delta)

    def cycles_since_mark(self) -> list[CycleRecord]:
        """The sync cycles since the mark (not provisions on demand, not Test Connections)."""
        return [c for c in self.recorder.timeline[self.cycle_mark :] if is_sync_cycle(c)]

    def last_cycle(self) -> CycleRecord:
        cycles = self.recorder.sync_cycles()
        if not cycles:
            raise AssertionError("No provisioning cycle has run yet.")
        return cycles[-1]

    def exchanges_since_mark(self) -> list[Exchange]:
        return list(self.recorder.since(self.exchange_mark))

    def provisioned_in(self, cycle: CycleRecord) -> dict[str, int]:
        """Users and groups a cycle created, or matched and updated, by object type."""
        seen: dict[str, set[str]] = {"User": set(), "Group": set()}
        for entry in self.job.log.query(cycle_id=cycle["cycle_id"]):
            if entry.status is ProvisioningResult.SUCCESS and entry.provisioning_action in (
                ProvisioningAction.CREATE,
                ProvisioningAction.UPDATE,
            ):
                seen[str(entry.source_identity.identity_type)].add(entry.source_identity.id)
        return {kind: len(ids) for kind, ids in seen.items()}

    def cycle_exchanges(self, cycle: CycleRecord) -> list[Exchange]:
        seqs = set(cycle["exchanges"])
        return [e for e in self.recorder.exchanges if e["seq"] in seqs]

    # -- what provisioning left behind --------------------------------------------------------

    def upn(self, name: str) -> str:
        if name not in self.user_principal_names:
            raise AssertionError(f'No user "{name}" was added to the directory in this scenario.')
        return self.user_principal_names[name]

    def target_user(self, name: str) -> dict[str, Any] | None:
        found = self.target.find("Users", "userName", self.upn(name))
        return found[0] if found else None

    def target_group(self, name: str) -> dict[str, Any] | None:
        found = self.target.find("Groups", "displayName", self.group_name(name))
        return found[0] if found else None

    def name_of_target_id(self, target_id: str) -> str:
        """The scenario's name for a target id, else the id itself."""
        return self.target_names.get(target_id, target_id)

    def _learn_names(self, exchange: Exchange) -> None:
        """Note the target ids of the scenario's users and groups as responses reveal them,
        so that paths read "/Users/Britta Simon" even after the account is deleted."""
        response = exchange["response"]
        body = response["body"] if response is not None else None
        if not isinstance(body, dict):
            return
        resources = body.get("Resources") if "Resources" in body else [body]
        by_user_name = {upn.lower(): name for name, upn in self.user_principal_names.items()}
        by_group_name = {self.group_name(name): name for name in self.groups}
        for resource in resources if isinstance(resources, list) else []:
            if not isinstance(resource, dict) or not isinstance(resource.get("id"), str):
                continue
            name = by_user_name.get(str(resource.get("userName", "")).lower())
            if name is None:
                name = by_group_name.get(str(resource.get("displayName", "")))
            if name is not None:
                self.target_names[resource["id"]] = name

    def log_entries(
        self, name: str, action: str | None = None, status: str | None = None
    ) -> list[ProvisioningObjectSummary]:
        return self.job.log.query(user=self.principal_id(name), action=action, status=status)

    def resource_path(self, exchange: Exchange) -> str:
        """The exchange's path below the Tenant URL, ids replaced by the scenario's names."""
        base = _url_path(TenantUrl(self.target.tenant_url).base_url)
        path = exchange["path"]
        if base and path.startswith(base):
            path = path[len(base) :]
        parts = [self.name_of_target_id(part) for part in path.split("/")]
        return "/".join(parts) or "/"

    # -- shaping the target ---------------------------------------------------------------------

    def answer(
        self,
        method: str,
        resource: str,
        status: int,
        body: Any,
        *,
        headers: dict[str, str] | None = None,
        times: int | None = None,
    ) -> None:
        """The network answers such requests itself from now on (``times`` of them)."""
        self.target.network.answer(
            CannedResponse(method, resource, status, body, dict(headers or {}), times)
        )

    @staticmethod
    def read_target_value(resource: dict[str, Any], path: str) -> Any:
        """The value at a mapping's target path in a SCIM resource."""
        return read_value(resource, path)

    def run_fault_profile(self, profile: str, options: dict[str, str]) -> None:
        """Wrap Fake Elevate in one of its fault profiles (fake_elevate/faults.py)."""
        parsed = parse_fault_options(f"{name}={value}" for name, value in options.items())
        self.target.wrap_app(lambda app: with_faults(app, profile, **parsed))

    def seed_target_user(self, name: str, *, user_name: str, external_id: str | None) -> None:
        """An account the target holds before provisioning meets the user."""
        user = self.user(name)
        body: dict[str, Any] = {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": user_name,
            "active": True,
            "displayName": f"{user.display_name} (created in LinkedIn)",
        }
        if external_id is not None:
            body["externalId"] = external_id
        self.target.create("Users", body)
        self.seeded_user_names.append(user_name)

    # -- clean-up -----------------------------------------------------------------------------

    def close(self) -> None:
        """Against a live target, delete every user and group this scenario provisioned."""
        if not self.target.is_live:
            return
        for name in self.groups:
            for found in self.target.find("Groups", "displayName", self.group_name(name)):
                self.target.delete("Groups", str(found["id"]))
        for user_name in [*self.user_principal_names.values(), *self.seeded_user_names]:
            for found in self.target.find("Users", "userName", user_name):
                self.target.delete("Users", str(found["id"]))


def _url_path(url: str) -> str:
    return urlsplit(url).path.rstrip("/")
