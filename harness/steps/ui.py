"""The tutorial in a browser: steps that click what a person clicks and read what a person
reads, in headless Chromium (Playwright for Python, driving Debian's ``chromium``; no
browser is downloaded).

The ``ui`` fixture serves a :class:`harness.serving.Simulation` (Fake Entra's admin center
and Graph, Fake Elevate's SCIM service and Account Center) on two free loopback ports, as
``provisim serve`` does, and opens a page. Elements are found by role and accessible name,
the portal's own words. Assertions read the page, and Graph (over HTTP, with the bearer
token a script would use) confirms the state behind it.

The feature's ``# Step N: ...`` comments number the tutorial's steps: after the last
Gherkin step of each, the page's accessible text (Playwright's ARIA snapshot, with the
ports and the token masked) is kept; ``the tutorial screenshots in docs/tutorial are up to
date`` compares it with docs/tutorial/step-NN.aria.yml, and with
``PROVISIM_UPDATE_TUTORIAL=1`` rewrites them with a PNG screenshot of each step. A failing
step leaves its screenshot in the scenario's report directory. Scenarios tagged ``@ui``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pytest_bdd import given, then, when

from harness.steps.wording import pairs, pattern

if TYPE_CHECKING:
    import httpx

    from harness.serving import Simulation

#: Debian's chromium, or the browser this variable names.
CHROMIUM_VARIABLE = "PROVISIM_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
#: Rewrite docs/tutorial/ from this run instead of comparing with it.
UPDATE_VARIABLE = "PROVISIM_UPDATE_TUTORIAL"
TUTORIAL_DIR = Path(__file__).resolve().parents[2] / "docs" / "tutorial"
GRAPH_TOKEN = "provisim-ui-graph-token"
ADMIN_KEY = "provisim-ui-admin-key"
#: How long a page may take to show what a step waits for (a Save runs a whole cycle).
TIMEOUT_MS = 15_000
#: A control without an accessible name, as an ARIA snapshot shows it ("- textbox", not
#: '- textbox "Tenant URL"').
_UNNAMED_CONTROL = re.compile(
    r"^\s*- ((?:textbox|checkbox|radio|combobox|button|link|searchbox|progressbar)"
    r"(?: \[[^\]]*\])?)(?:\s*$|:)",
    re.M,
)
_STEP_COMMENT = re.compile(r"^\s*#\s*Step\s+(\d+):\s*(.+?)\s*$")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "ui: the tutorial clicked through in a real browser.")


@dataclass
class Shot:
    number: int
    title: str
    text: str
    png: bytes | None


@dataclass
class UiSession:
    """The served simulation, the browser page, and what the steps saw."""

    simulation: Simulation
    entra: str
    elevate: str
    #: A playwright.sync_api.Page (playwright is a test dependency, imported only here when used).
    page: Any
    graph: httpx.Client
    token: str | None = None
    #: The token before the last regeneration (revoked).
    old_token: str | None = None
    shots: dict[int, Shot] = field(default_factory=dict)

    @property
    def scim_base(self) -> str:
        return f"{self.elevate}/scim/v2"

    def goto(self, path: str) -> None:
        self.page.goto(path if path.startswith("http") else self.entra + path)

    def accessible_text(self) -> str:
        """The page's ARIA snapshot, with what differs between runs masked."""
        text = self.page.locator("body").aria_snapshot()
        for value, mask in (
            (self.entra, "<entra>"),
            (self.elevate, "<elevate>"),
            (self.token, "<token>"),
        ):
            if value:
                text = text.replace(value, mask)
        # The token shown once in Account Center: a secret, masked whatever its value.
        text = re.sub(r'(textbox "Access token": ).*', r"\1<token>", text)
        return re.sub(r"127\.0\.0\.1:\d+", "<host>", text) + "\n"

    def capture(self, number: int, title: str, *, png: bool) -> None:
        text = self.accessible_text()
        unnamed = _UNNAMED_CONTROL.findall(text)
        assert not unnamed, (
            f"tutorial step {number}: controls without an accessible name: {unnamed}"
        )
        self.shots[number] = Shot(
            number,
            title,
            text,
            self.page.screenshot(full_page=True) if png else None,
        )

    def graph_get(self, path: str, **params: str) -> Any:
        response = self.graph.get(path, params=params or None)
        assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text}"
        return response.json()

    def service_principal(self) -> dict[str, Any]:
        found = self.graph_get(
            "/servicePrincipals", **{"$filter": "displayName eq 'LinkedIn Elevate'"}
        )["value"]
        assert found, "Graph has no LinkedIn Elevate service principal."
        result: dict[str, Any] = found[0]
        return result

    def job(self) -> dict[str, Any]:
        sp = self.service_principal()
        jobs = self.graph_get(f"/servicePrincipals/{sp['id']}/synchronization/jobs")["value"]
        assert jobs, "Graph has no synchronization job for LinkedIn Elevate."
        result: dict[str, Any] = jobs[0]
        return result


def chromium_path() -> str:
    return os.environ.get(CHROMIUM_VARIABLE) or DEFAULT_CHROMIUM


UI_KEY = pytest.StashKey[UiSession]()


@pytest.fixture
def ui(request: pytest.FixtureRequest) -> Iterator[UiSession]:
    """``provisim serve``'s simulation on free loopback ports, and a headless Chromium page."""
    browser_path = chromium_path()
    if not Path(browser_path).exists():
        pytest.skip(
            f"no chromium at {browser_path} (apt-get install chromium, or set {CHROMIUM_VARIABLE})"
        )
    import httpx

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "the @ui scenarios need Playwright for Python: pip install 'provisim[test]' "
            "(or leave them out with --tags 'not ui')",
            pytrace=False,
        )

    from harness.serving import Simulation, serve_in_thread

    links: dict[str, str] = {}
    simulation = Simulation(seed=0, graph_token=GRAPH_TOKEN, admin_key=ADMIN_KEY, links=links)
    with ExitStack() as stack:
        entra = stack.enter_context(serve_in_thread(simulation.entra_app))
        elevate = stack.enter_context(serve_in_thread(simulation.elevate_app))
        links["LinkedIn Account Center"] = f"{elevate}/accountcenter/"
        graph = stack.enter_context(
            httpx.Client(
                base_url=f"{entra}/v1.0",
                headers={"Authorization": f"Bearer {GRAPH_TOKEN}"},
                timeout=60,
            )
        )
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=browser_path, headless=True)
        stack.callback(browser.close)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        session = UiSession(simulation, entra, elevate, page, graph)
        request.node.stash[UI_KEY] = session
        yield session


# -- hooks: the tutorial's step numbers, and a screenshot of a failed step --------------------


def tutorial_step(feature_file: str, line: int) -> tuple[int, str] | None:
    """The ``# Step N: title`` comment in force at ``line`` of the feature file: the nearest
    comment above it, when it names a step."""
    try:
        lines = Path(feature_file).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for text in reversed(lines[: line - 1]):
        if text.strip().startswith("#"):
            # The nearest comment above says which step this is; another comment ends it.
            found = _STEP_COMMENT.match(text)
            return (int(found.group(1)), found.group(2)) if found else None
        if text.strip().startswith("Scenario"):
            return None
    return None


@pytest.hookimpl(optionalhook=True)
def pytest_bdd_after_step(
    request: pytest.FixtureRequest,
    feature: Any,
    scenario: Any,
    step: Any,
    step_func: Any,
    step_func_args: Any,
) -> None:
    session = request.node.stash.get(UI_KEY, None)
    if session is None or step.keyword.strip() == "Then":
        return
    found = tutorial_step(feature.filename, step.line_number)
    if found is not None:
        session.capture(*found, png=os.environ.get(UPDATE_VARIABLE) == "1")


@pytest.hookimpl(optionalhook=True)
def pytest_bdd_step_error(
    request: pytest.FixtureRequest,
    feature: Any,
    scenario: Any,
    step: Any,
    step_func: Any,
    step_func_args: Any,
    exception: Exception,
) -> None:
    session = request.node.stash.get(UI_KEY, None)
    if session is None:
        return
    from harness.plugin import scenario_directory

    directory = scenario_directory(request.config, request.node.nodeid)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"failed-step-line-{step.line_number}.png"
    try:
        session.page.screenshot(path=str(target), full_page=True)
    except Exception as error:  # the step's own failure is what matters
        request.node.add_report_section("call", "screenshot", f"no screenshot: {error}")
        return
    request.node.user_properties.append(("screenshot", str(target)))
    request.node.add_report_section("call", "screenshot", f"the page at the failure: {target}")


# -- serving and signing in -------------------------------------------------------------------


@given("provisim is served and a browser is open")
def served(ui: UiSession) -> None:
    """Both sides and their pages on free loopback ports, as ``provisim serve`` serves them."""


@when("the admin signs in to Account Center in the browser")
def sign_in_to_account_center(ui: UiSession) -> None:
    """Step 1: the Account Center sign-in page, the admin's email, "Sign in"."""
    page = ui.page
    page.goto(f"{ui.elevate}/accountcenter/")
    page.get_by_label("Email").fill("admin@contoso.com")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Account Center").wait_for()


@when(pattern('opens "{menu}" and selects "{item}"'))
def open_menu(ui: UiSession, menu: str, item: str) -> None:
    """Step 2: a menu of the Account Center's top bar, then one of its items."""
    menus = ui.page.get_by_role("navigation", name="Account Center")
    menus.get_by_text(menu, exact=True).click()
    menus.get_by_role("link", name=item, exact=True).click()
    ui.page.get_by_role("heading", name=item).wait_for()


@when(pattern('selects "{item}" in the left sidebar'))
def left_sidebar(ui: UiSession, item: str) -> None:
    """Step 3: an entry of the Admin Settings sidebar."""
    ui.page.get_by_role("navigation", name="Admin Settings").get_by_role("link", name=item).click()


@when(pattern('clicks "{button}" and fills in each field:'))
def add_and_fill(ui: UiSession, button: str, datatable: list[list[str]]) -> None:
    """Step 4: open the form, then each field by its label (a checkbox: on or off)."""
    page = ui.page
    page.get_by_role("link", name=button).click()
    for label, value in pairs(datatable).items():
        control = page.get_by_label(label, exact=True)
        if control.get_attribute("type") == "checkbox":
            control.set_checked(value.lower() == "on")
        else:
            control.fill(value)


@when(pattern('clicks "{button}" in Account Center'))
@when(pattern('the admin clicks "{button}" in Account Center'))
def click_in_account_center(ui: UiSession, button: str) -> None:
    """A button of the Account Center page, by its accessible name."""
    ui.page.get_by_role("button", name=button, exact=True).click()


@when(pattern('the admin clicks "{button}"'))
def click(ui: UiSession, button: str) -> None:
    """Step 5 and others: a button by its accessible name."""
    ui.page.get_by_role("button", name=button, exact=True).click()


@then(pattern('the page says "{text}"'))
def page_says(ui: UiSession, text: str) -> None:
    """The page shows ``text`` (a status message, a heading)."""
    ui.page.get_by_text(text).first.wait_for()


@then(pattern('the token appears under "{heading}"'))
def token_appears(ui: UiSession, heading: str) -> None:
    """Step 5's outcome: a heading, and below it the token in a read-only field."""
    ui.page.get_by_role("heading", name=heading).wait_for()
    field = ui.page.get_by_role("textbox", name=heading)
    token = field.input_value()
    assert len(token) >= 16, f"no token under {heading!r}"
    assert field.get_attribute("readonly") is not None
    ui.token = token


@when(pattern('the admin copies the token with "{button}"'))
def copy_token(ui: UiSession, button: str) -> None:
    """Step 6: the copy button; the token is kept for the Secret Token field."""
    ui.page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    ui.page.get_by_role("button", name=button, exact=True).click()
    ui.page.get_by_role("button", name="Copied").wait_for()
    assert ui.token


@when(pattern('signs in to the Microsoft Entra admin center in the browser as "{role}"'))
def sign_in_to_entra(ui: UiSession, role: str) -> None:
    """Step 7: the admin center's sign-in page, an account and its directory role."""
    page = ui.page
    ui.goto("/")
    page.get_by_label("Account").fill("admin@contoso.com")
    page.get_by_label(role).check()
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Microsoft Entra admin center").wait_for()


@when(pattern('selects "{item}" under "{group}"'))
def select_under(ui: UiSession, item: str, group: str) -> None:
    """Steps 8 and 10: a link of a menu, under its group (Applications, Provisioning)."""
    page = ui.page
    if group == "Applications":
        page.get_by_role("navigation", name="Portal menu").get_by_role("link", name=item).click()
    else:
        page.get_by_role("navigation", name=re.compile("menu$")).last.get_by_role(
            "link", name=item, exact=True
        ).click()
    page.wait_for_load_state()


@when(pattern('the admin selects "{item}" under "{group}"'))
def admin_selects_under(ui: UiSession, item: str, group: str) -> None:
    """As "selects ... under ...", with its subject."""
    select_under(ui, item, group)


@when(pattern('the admin selects "{item}" in the application\'s menu'))
def select_in_app_menu(ui: UiSession, item: str) -> None:
    """A link of the application's own menu (Overview, Users and groups, Provisioning)."""
    ui.page.get_by_role("navigation", name="LinkedIn Elevate menu").get_by_role(
        "link", name=item, exact=True
    ).click()


@when(pattern('clicks "{new}", searches for "{name}" and adds it'))
def add_from_gallery(ui: UiSession, new: str, name: str) -> None:
    """Step 9: the gallery, its search box, the application, "Add"."""
    page = ui.page
    page.get_by_role("link", name=new).click()
    page.get_by_label("Search application").fill(name)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("list", name="Gallery applications").get_by_role(
        "link", name=name, exact=True
    ).click()
    page.get_by_role("button", name="Add").click()
    page.get_by_role("status").get_by_text("Application added").wait_for()


@when(pattern('the admin assigns "{name}" with the role "{role}" in "{section}"'))
def assign(ui: UiSession, name: str, role: str, section: str) -> None:
    """Before the steps: Users and groups > + Add user/group, the user, the role, Assign."""
    page = ui.page
    page.get_by_role("link", name=section, exact=True).click()
    page.get_by_role("link", name="+ Add user/group").click()
    page.get_by_role("group", name="Users and groups").get_by_label(name).check()
    page.get_by_role("group", name="Select a role").get_by_label(role, exact=True).check()
    page.get_by_role("button", name="Assign").click()
    page.get_by_role("status").get_by_text("Assignment succeeded").wait_for()


@when(pattern('selects "{value}" as "{label}"'))
def select_option(ui: UiSession, value: str, label: str) -> None:
    """Step 11: a drop-down by its label; Provisioning Mode applies when changed."""
    page = ui.page
    page.get_by_label(label, exact=True).select_option(value)
    if label == "Provisioning Mode":
        page.get_by_role("heading", name="Admin Credentials").wait_for()


@when(
    pattern(
        'the admin enters Fake Elevate\'s SCIM base URL as "{url_label}" and the token as "{token_label}"'
    )
)
def enter_credentials(ui: UiSession, url_label: str, token_label: str) -> None:
    """Step 12: Admin Credentials, typed."""
    assert ui.token, "Generate a token in Account Center first."
    ui.page.get_by_label(url_label, exact=True).fill(ui.scim_base)
    ui.page.get_by_label(token_label, exact=True).fill(ui.token)


@when(pattern('clicks "{button}" in the portal'))
@when(pattern('the admin clicks "{button}" in the portal'))
def click_in_portal(ui: UiSession, button: str) -> None:
    """A button of the Entra admin center; the page that comes back is waited for."""
    with ui.page.expect_navigation():
        ui.page.get_by_role("button", name=button, exact=True).click()


@then(pattern('a notification in the upper right says "{text}"'))
def notification(ui: UiSession, text: str) -> None:
    """The toast in the upper right: role status (success), with ``text``."""
    toast = ui.page.get_by_role("status", name="Notification")
    toast.wait_for()
    assert text in toast.inner_text(), toast.inner_text()
    box = toast.bounding_box()
    viewport = ui.page.viewport_size
    assert box is not None and viewport is not None
    assert box["x"] > viewport["width"] / 2 and box["y"] < viewport["height"] / 4, box


@when(pattern('the admin types "{text}" into "{label}"'))
def type_into(ui: UiSession, text: str, label: str) -> None:
    """Step 13: a text field by its label."""
    ui.page.get_by_label(label, exact=True).fill(text)


@when(pattern('ticks "{label}"'))
def tick(ui: UiSession, label: str) -> None:
    """Step 13: the checkbox below the Notification Email."""
    ui.page.get_by_label(label, exact=True).check()


@when(pattern('the admin opens the mapping "{name}"'))
def open_mapping(ui: UiSession, name: str) -> None:
    """Step 15: Mappings > one object mapping."""
    page = ui.page
    if not page.get_by_role("heading", name="Mappings").count():
        select_under(ui, "Edit provisioning", "Provisioning")
    page.get_by_role("link", name=name).click()
    page.get_by_role("heading", name="Attribute Mapping").wait_for()


@then(pattern('the matching precedence lists "{attribute}" first'))
def matching_first(ui: UiSession, attribute: str) -> None:
    """Step 15's outcome: the matching attributes, in precedence order."""
    items = ui.page.get_by_role("list", name="Matching attributes").get_by_role("listitem")
    assert items.first.inner_text().strip() == attribute, items.all_inner_texts()


@when(pattern('sets "{legend}" to "{value}"'))
def set_radio(ui: UiSession, legend: str, value: str) -> None:
    """Step 16: a radio group (Provisioning Status On/Off) by its legend."""
    ui.page.get_by_role("group", name=legend).get_by_label(value, exact=True).check()


@then(pattern("the progress bar shows {percent:d}% complete"))
def progress(ui: UiSession, percent: int) -> None:
    """Current cycle status: the progress bar's value."""
    bar = ui.page.get_by_role("progressbar", name="Provisioning progress")
    assert bar.get_attribute("aria-valuenow") == str(percent)
    ui.page.get_by_text(f"{percent}% complete").wait_for()


@then(pattern("the statistics to date show {count:d} user"))
@then(pattern("the statistics to date show {count:d} users"))
def statistics(ui: UiSession, count: int) -> None:
    """Statistics to date: the Users count."""
    stats = ui.page.get_by_role("definition").filter(has_text=re.compile(rf"^{count}$"))
    assert stats.count() >= 1
    sp = ui.service_principal()
    job = ui.job()
    counts = {i["key"]: i["value"] for i in job["status"]["synchronizedEntryCountByType"]}
    assert counts.get("User") == count, (sp["id"], counts)


@then(
    pattern(
        'the provisioning logs list "{name}" with the action "{action}" and the status "{status}"'
    )
)
def logs_list(ui: UiSession, name: str, action: str, status: str) -> None:
    """The provisioning logs: a row with the identity, its action and its status; and Graph's
    log holds the same entry."""
    row = ui.page.get_by_role("row").filter(has_text=name)
    cells = row.first.get_by_role("cell").all_inner_texts()
    assert action in cells and status in cells, cells
    entries = ui.graph_get(
        "/auditLogs/provisioning", **{"$filter": f"sourceIdentity/displayName eq '{name}'"}
    )["value"]
    assert any(
        e["provisioningAction"] == action.lower()
        and e["provisioningStatusInfo"]["status"] == status.lower()
        for e in entries
    ), entries


@when(pattern('the admin opens the Account Center page "{page_name}"'))
def account_center_page(ui: UiSession, page_name: str) -> None:
    """Back to Account Center: Admin > the page."""
    ui.page.goto(f"{ui.elevate}/accountcenter/home")
    open_menu(ui, "Admin", page_name)


@then(pattern('the Account Center users list "{user_name}" as "{state}"'))
def account_center_user(ui: UiSession, user_name: str, state: str) -> None:
    """Users: the user's row shows its licence state; the admin API agrees."""
    cells = ui.page.get_by_role("row").filter(has_text=user_name).first.get_by_role("cell")
    assert state in cells.all_inner_texts(), cells.all_inner_texts()
    users = ui.simulation.elevate.account_center.users()
    assert [(u.user_name, u.state) for u in users] == [(user_name, state)]


@when(pattern('the admin opens "{link}" in the Entra admin center'))
def open_in_entra(ui: UiSession, link: str) -> None:
    """A link of the admin center's top bar (the simulator controls are there)."""
    ui.goto("/home")
    ui.page.get_by_role("banner").get_by_role("link", name=link, exact=True).click()
    ui.page.get_by_role("heading", name=link).wait_for()


@when("a cycle runs after 40 virtual minutes with a change in the directory")
def cycle_with_a_change(ui: UiSession) -> None:
    """Outside the page, as time passes: Britta Simon's job title changes (``PATCH
    /users/{id}``) and the virtual clock moves 40 minutes, so the next cycle updates her."""
    users = ui.graph_get("/users", **{"$filter": "displayName eq 'Britta Simon'"})["value"]
    changed = ui.graph.patch(f"/users/{users[0]['id']}", json={"jobTitle": "Trainer"})
    assert changed.status_code == 204, changed.text
    clock = ui.graph.post(ui.entra + "/_provisim/clock/advance", json={"duration": "PT40M"})
    assert clock.status_code == 200 and clock.json()["timersFired"] >= 1, clock.text


@then(pattern('the live SCIM exchanges show a new "{method}" request'))
def live_exchange(ui: UiSession, method: str) -> None:
    """The simulator page, left open, receives the cycle's requests as server-sent events."""
    exchanges = ui.page.get_by_role("list", name="SCIM exchanges")
    exchanges.get_by_text(re.compile(rf"^{method} ")).first.wait_for()
    assert ui.token is None or ui.token not in exchanges.inner_text()


@when(pattern('the admin regenerates the token of "{name}" in Account Center'))
def regenerate(ui: UiSession, name: str) -> None:
    """Advanced Integrations > "Regenerate token": the new token is kept, the old one too."""
    ui.page.goto(f"{ui.elevate}/accountcenter/admin/settings/advanced-integrations")
    ui.old_token = ui.token
    click(ui, f"Regenerate token for {name}")
    token_appears(ui, "Access token")
    assert ui.token != ui.old_token


@when(pattern('the admin goes back to the Provisioning page of "{app}"'))
def back_to_provisioning(ui: UiSession, app: str) -> None:
    """Enterprise applications > the application > Edit provisioning."""
    ui.goto("/enterpriseApps")
    ui.page.get_by_role("link", name=app, exact=True).click()
    select_under(ui, "Edit provisioning", "Provisioning")
    ui.page.get_by_role("heading", name="Admin Credentials").wait_for()


@when(
    pattern(
        'enters Fake Elevate\'s SCIM base URL as "{url_label}" and the old token as "{token_label}"'
    )
)
def enter_old_token(ui: UiSession, url_label: str, token_label: str) -> None:
    """Admin Credentials with the token that was regenerated away."""
    assert ui.old_token, "Regenerate a token first."
    ui.page.get_by_label(url_label, exact=True).fill(ui.scim_base)
    ui.page.get_by_label(token_label, exact=True).fill(ui.old_token)


@then(pattern('an error notification in the upper right says "{text}"'))
def error_notification(ui: UiSession, text: str) -> None:
    """The toast in the upper right: role alert (a failure), with ``text``."""
    toast = ui.page.get_by_role("alert", name="Notification")
    toast.wait_for()
    assert text in toast.inner_text(), toast.inner_text()


# -- Graph state ------------------------------------------------------------------------------


@then(pattern('Graph has a service principal "{name}"'))
def graph_has_sp(ui: UiSession, name: str) -> None:
    """``GET /servicePrincipals``: the application the page added."""
    assert ui.service_principal()["displayName"] == name


@then(pattern('Graph has "{name}" assigned with the role "{role}"'))
def graph_has_assignment(ui: UiSession, name: str, role: str) -> None:
    """``GET …/appRoleAssignedTo``: the principal and the role's id."""
    sp = ui.service_principal()
    role_ids = {r["displayName"]: r["id"] for r in sp["appRoles"]}
    rows = ui.graph_get(f"/servicePrincipals/{sp['id']}/appRoleAssignedTo")["value"]
    assert [(r["principalDisplayName"], r["appRoleId"]) for r in rows] == [(name, role_ids[role])]


@then(pattern('Graph has a synchronization job with the status "{code}"'))
@then(pattern('Graph has the job with the status "{code}"'))
def graph_job_status(ui: UiSession, code: str) -> None:
    """``GET …/synchronization/jobs``: the job's status code."""
    assert ui.job()["status"]["code"] == code


@then(pattern('Graph has the mapping of "{target}" from "{expression}"'))
def graph_mapping(ui: UiSession, target: str, expression: str) -> None:
    """``GET …/jobs/{id}/schema``: the attribute's source expression."""
    sp, job = ui.service_principal(), ui.job()
    schema = ui.graph_get(f"/servicePrincipals/{sp['id']}/synchronization/jobs/{job['id']}/schema")
    users = schema["synchronizationRules"][0]["objectMappings"][0]["attributeMappings"]
    found = [a["source"]["expression"] for a in users if a["targetAttributeName"] == target]
    assert found == [expression], found


# -- bad input --------------------------------------------------------------------------------


@given(
    "the admin has a token from Account Center and LinkedIn Elevate with Provisioning Mode "
    "Automatic in the browser"
)
def set_up_to_credentials(ui: UiSession) -> None:
    """Steps 1-11 by clicking, quickly: a configuration and its token, the application from
    the gallery, Britta Simon with the User role, Provisioning Mode Automatic."""
    sign_in_to_account_center(ui)
    ui.page.goto(f"{ui.elevate}/accountcenter/admin/settings/advanced-integrations?add=1")
    add_fields = ui.page
    add_fields.get_by_label("Name", exact=True).fill("Entra ID")
    click(ui, "Save")
    click(ui, "Generate token for Entra ID")
    token_appears(ui, "Access token")
    sign_in_to_entra(ui, "Cloud Application Administrator")
    select_under(ui, "Enterprise applications", "Applications")
    add_from_gallery(ui, "+ New application", "LinkedIn Elevate")
    assign(ui, "Britta Simon", "User", "Users and groups")
    select_under(ui, "Edit provisioning", "Provisioning")
    select_option(ui, "Automatic", "Provisioning Mode")


@when(pattern('the admin enters "{url}" as "{url_label}" and leaves "{token_label}" empty'))
def enter_url_only(ui: UiSession, url: str, url_label: str, token_label: str) -> None:
    """Admin Credentials with a Tenant URL and no Secret Token."""
    ui.page.get_by_label(url_label, exact=True).fill(url)
    ui.page.get_by_label(token_label, exact=True).fill("")


@when(
    pattern(
        'the admin enters Fake Elevate\'s SCIM base URL as "{url_label}" and leaves "{token_label}" empty'
    )
)
def enter_base_only(ui: UiSession, url_label: str, token_label: str) -> None:
    """Admin Credentials with Fake Elevate's Tenant URL and no Secret Token."""
    enter_url_only(ui, ui.scim_base, url_label, token_label)


@then(pattern('"{label}" shows the message "{text}"'))
def field_message(ui: UiSession, label: str, text: str) -> None:
    """The portal's message beside the field: the field is invalid and described by it."""
    control = ui.page.get_by_label(label, exact=True)
    assert control.get_attribute("aria-invalid") == "true"
    described = control.get_attribute("aria-describedby")
    assert described, f"{label} has no message"
    message = ui.page.locator(f"#{described}").inner_text()
    assert text in message, message


@then(pattern('"{label}" shows a message'))
def field_has_message(ui: UiSession, label: str) -> None:
    """The field is invalid and a message describes it."""
    field_message(ui, label, "")


@when(pattern('edits the expression of "{target}" to "{expression}" and clicks "{button}"'))
def edit_expression(ui: UiSession, target: str, expression: str, button: str) -> None:
    """The expression editor: Edit on the attribute's row, the Expression, then a button."""
    page = ui.page
    page.get_by_role("link", name=f"Edit {target}", exact=True).click()
    page.get_by_label("Expression", exact=True).fill(expression)
    click_in_portal(ui, button)


@then("the tutorial screenshots in docs/tutorial are up to date")
def screenshots_up_to_date(ui: UiSession) -> None:
    """One page per tutorial step (1-17): its accessible text is docs/tutorial/step-NN.aria.yml;
    ``PROVISIM_UPDATE_TUTORIAL=1`` rewrites them, with step-NN.png and the index."""
    numbers = sorted(ui.shots)
    assert numbers == list(range(1, 18)), f"tutorial steps captured: {numbers}"
    if not (TUTORIAL_DIR.parent / "steps.md").exists():
        # An installed provisim carries the features, not the docs of its source checkout.
        pytest.skip(f"no docs/ beside the features here ({TUTORIAL_DIR.parent})")
    if os.environ.get(UPDATE_VARIABLE) == "1":
        write_tutorial(list(ui.shots.values()))
        return
    stale = []
    for shot in ui.shots.values():
        kept = TUTORIAL_DIR / f"step-{shot.number:02d}.aria.yml"
        if not kept.exists() or kept.read_text(encoding="utf-8") != shot.text:
            stale.append(kept.name)
    assert not stale, (
        f"docs/tutorial is stale ({', '.join(stale)}): the pages changed. Regenerate with "
        f"{UPDATE_VARIABLE}=1 python -m pytest tests/test_features.py -k ui -p no:cacheprovider"
    )


def write_tutorial(shots: list[Shot]) -> None:
    TUTORIAL_DIR.mkdir(parents=True, exist_ok=True)
    lines = [
        "# The tutorial, step by step, in the browser",
        "",
        "<!-- Generated by features/ui_tutorial.feature with PROVISIM_UPDATE_TUTORIAL=1; "
        "do not edit. -->",
        "",
        "Each step of the LinkedIn Elevate tutorial as `provisim serve` shows it. The "
        "`.aria.yml` beside each screenshot is the page's accessible text, which a test "
        "compares to keep these pages current.",
        "",
    ]
    for shot in sorted(shots, key=lambda s: s.number):
        name = f"step-{shot.number:02d}"
        (TUTORIAL_DIR / f"{name}.aria.yml").write_text(shot.text, encoding="utf-8")
        if shot.png is not None:
            (TUTORIAL_DIR / f"{name}.png").write_bytes(shot.png)
        lines += [
            f"## Step {shot.number}: {shot.title}",
            "",
            f"![Step {shot.number}: {shot.title}]({name}.png)",
            "",
        ]
    (TUTORIAL_DIR / "README.md").write_text("\n".join(lines), encoding="utf-8")
