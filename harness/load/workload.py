"""One simulated tenant: a Fake Entra tenant whose real engine sends the load.

Nothing here writes a SCIM request. Each tenant is a :class:`fake_entra.tenant.Tenant` with
its own users and groups (all named ``provisim-load-<run>-<tenant>-...``), the LinkedIn
Elevate gallery app assigned to them, Automatic provisioning with the endpoint as Tenant
URL, and a :class:`fake_entra.engine.ProvisioningJob`. The tenant then does what an admin
and a directory do (entra-provisioning-service.md §2):

1. Test Connection (the random-GUID filter query);
2. Provisioning Status On + Save: the initial cycle (match GETs, POST users, POST groups,
   member PATCHes, in the chosen dialect);
3. over and over: a share of the directory changes (job titles updated, a user disabled
   and the one disabled before re-enabled, a member moved between groups, a new user
   assigned), then the next incremental cycle, 40 virtual minutes later, without waiting
   for them: the virtual clock jumps, the requests go at the tenant's pace.

A throttled cycle (429 + Retry-After) is suspended by the engine and resumed when its timer
is due, retrying only the failed requests; the wait itself happens for real in the
tenant's :class:`~harness.load.transport.LoadTransport`. Ids the endpoint returns on create
are the engine's own links, so every later request of the tenant uses them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import httpx

from fake_entra.dialects import AAD_OPT_SCIM_062020_FLAG, Dialect
from fake_entra.directory import DirectoryUser
from fake_entra.engine import ProvisioningJob
from fake_entra.tenant import Tenant
from harness.load.settings import LoadSettings
from harness.load.tally import Tally

#: The gallery app each tenant configures (the tutorial's).
GALLERY_APP = "LinkedIn Elevate"
_DOMAIN = "contoso.com"
_TITLES = ("Engineer", "Analyst", "Designer", "Manager", "Consultant", "Recruiter")


def tenant_url_for(url: str, dialect: Dialect) -> str:
    """The Tenant URL an admin enters: the endpoint, plus ``?aadOptscim062020`` for the
    RFC-compliant PATCH dialect (entra-provisioning-service.md §5.3)."""
    parts = urlsplit(url.strip())
    items = [i for i in parts.query.split("&") if i and i.lower() != "aadoptscim062020"]
    if dialect is Dialect.AAD_OPT_SCIM_062020:
        items.append(AAD_OPT_SCIM_062020_FLAG)
    return urlunsplit(parts._replace(query="&".join(items)))


class TenantWorkload:
    """One provisioning job's life, driven by the real engine (see the module docstring)."""

    def __init__(
        self,
        settings: LoadSettings,
        *,
        name: str,
        token: str,
        transport: httpx.BaseTransport,
        tally: Tally,
        seed: int = 0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.name = name
        self.prefix = f"{settings.prefix}{name}-"
        self.tally = tally
        self._sleep = sleep
        self.tenant = Tenant(seed=seed, scim_transport=transport, scim_timeout=settings.timeout)
        self.tenant.sign_in()
        directory = self.tenant.directory
        self.users: list[DirectoryUser] = [
            self._new_user(index) for index in range(settings.users_per_tenant)
        ]
        self.group_ids: list[str] = []
        for index in range(settings.groups_per_tenant):
            members = [u.object_id for u in self.users[index :: settings.groups_per_tenant]]
            group = directory.add_group(f"{self.prefix}group-{index}", members=members)
            self.group_ids.append(group.object_id)
        self.app = self.tenant.add_from_gallery(GALLERY_APP, f"provisim load {name}")
        for user in self.users:
            self.app.assign(user.object_id, "User")
        for group_id in self.group_ids:
            self.app.assign(group_id, "User")
        page = self.app.provisioning
        page.set_provisioning_mode("Automatic")
        page.set_admin_credentials(tenant_url_for(settings.url, Dialect(settings.dialect)), token)
        self.job = ProvisioningJob(self.app, self.tenant.clock, seed=seed)
        self.rounds = 0
        self._disabled: str | None = None

    def _new_user(self, index: int) -> DirectoryUser:
        local = f"{self.prefix}u{index:05d}"
        return self.tenant.directory.add_user(
            f"{local}@{_DOMAIN}",
            f"Load User {index}",
            given_name="Load",
            surname=f"User{index}",
            mail=f"{local}@{_DOMAIN}",
            job_title=_TITLES[index % len(_TITLES)],
            department="provisim load",
        )

    # -- what an admin does ---------------------------------------------------------------

    def test_connection(self) -> bool:
        result = self.app.provisioning.test_connection()
        self.tally.test_connections += 1
        if not result.succeeded:
            self.tally.test_connection_failures.append(f"{self.name}: {result.message}")
        return result.succeeded

    def initial_cycle(self) -> None:
        """Provisioning Status On + Save: the engine runs the initial cycle now."""
        before = self.job.cycles_run
        page = self.app.provisioning
        page.set_provisioning_status("On")
        page.save()
        self._resume_throttled()
        self.tally.initial_cycles += self.job.cycles_run - before

    def incremental_cycle(self) -> int:
        """Change the directory, then run the next cycle; the requests it sent."""
        self._change_directory()
        before_requests = self.job.requests_sent
        before = self.job.cycles_run
        due = self.job.next_cycle_due
        if due is not None:
            self.tenant.clock.advance_to(due)
            self._resume_throttled()
        self.tally.incremental_cycles += self.job.cycles_run - before
        sent = self.job.requests_sent - before_requests
        if sent == 0:
            self._sleep(self.settings.idle_pause)  # nothing to do: don't spin
        return sent

    def run(self, *, rounds: int | None = None) -> None:
        """Test Connection, the initial cycle, then incremental cycles (``rounds`` of them,
        or until the run stops this tenant). A failed Test Connection ends the tenant there:
        the portal's Save needs a passing one (PortalKnownIssues.save_requires_test_connection),
        so an admin could not turn provisioning on either."""
        if not self.test_connection():
            return
        self.initial_cycle()
        while rounds is None or self.rounds < rounds:
            self.incremental_cycle()

    # -- internals ------------------------------------------------------------------------

    def _resume_throttled(self) -> None:
        """A cycle suspended by 429 resumes when its timer is due; the transport waits out
        the Retry-After for real before the retried request leaves."""
        while self.job.cycle_suspended:
            due = self.job.next_cycle_due
            if due is None:
                return
            self.tenant.clock.advance_to(due)

    def _change_directory(self) -> None:
        """What changes between two cycles: about ``change_share`` of the users."""
        self.rounds += 1
        directory = self.tenant.directory
        count = max(1, round(self.settings.change_share * len(self.users)))
        start = (self.rounds * count) % len(self.users)
        for offset in range(count):
            user = self.users[(start + offset) % len(self.users)]
            if user.object_id == self._disabled:
                continue
            title = f"{_TITLES[(self.rounds + offset) % len(_TITLES)]} {self.rounds}"
            directory.update_user(user.object_id, job_title=title)
        # One user disabled each round; the one disabled the round before comes back.
        if self._disabled is not None:
            directory.update_user(self._disabled, account_enabled=True)
        victim = self.users[(start + count) % len(self.users)]
        directory.update_user(victim.object_id, account_enabled=False)
        self._disabled = victim.object_id
        # A member moves to the next group (a remove and an add PATCH).
        if self.group_ids:
            mover = self.users[self.rounds % len(self.users)].object_id
            held = [g for g in self.group_ids if g in directory.member_of(mover)]
            if held:
                directory.remove_member(held[0], mover)
                target = self.group_ids[(self.group_ids.index(held[0]) + 1) % len(self.group_ids)]
                if target != held[0]:
                    directory.add_member(target, mover)
            else:
                directory.add_member(self.group_ids[0], mover)
        # A newcomer, assigned: a match GET and a POST.
        newcomer = self._new_user(len(self.users))
        self.users.append(newcomer)
        self.app.assign(newcomer.object_id, "User")


__all__ = ["GALLERY_APP", "TenantWorkload", "tenant_url_for"]
