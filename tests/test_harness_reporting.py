"""harness.reporting: the timeline picture, the exchanges table, redaction, and the plugin
under plain pytest (a throwaway feature run with pytester)."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from io import StringIO
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from fake_entra.scim_client import OriginKind
from harness.reporting import (
    MAX_BODY_CHARS,
    NO_CHANGE_COLOUR,
    ON_DEMAND_OUTLINE,
    OUTCOME_COLOURS,
    REPORT_TITLE,
    SENDER_CYCLE,
    SENDER_ON_DEMAND,
    SENDER_TEST_CONNECTION,
    TEST_CONNECTION_COLOUR,
    ScenarioProgress,
    format_offset,
    redact,
    redact_header,
    redact_text,
    render_exchanges_table,
    render_scenario,
    render_timeline_svg,
    summarize,
)

pytest_plugins = ["pytester"]

SVG = "{http://www.w3.org/2000/svg}"
COLOUR = dict(OUTCOME_COLOURS)


def cycle(cycle_id: int, minutes: int, requests: int, **counts: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "cycle_id": str(cycle_id),
        "kind": counts.pop("kind", "incremental"),
        "virtual_time": f"2025-01-01T{minutes // 60:02d}:{minutes % 60:02d}:00+00:00",
        "requests": requests,
        "quarantine_reason": counts.pop("quarantine_reason", None),
    }
    for outcome, _ in OUTCOME_COLOURS:
        entry[outcome] = counts.pop(outcome, 0)
    assert not counts
    return entry


def parse_svg(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML, or this raises


def cycle_groups(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "pv-cycle"]


def bar_rects(group: ET.Element) -> list[ET.Element]:
    return [r for r in group.iter(f"{SVG}rect") if r.get("fill") != "none"]


def bar_height(group: ET.Element) -> float:
    return sum(float(r.get("height", "0")) for r in bar_rects(group))


def bar_left(group: ET.Element) -> float:
    return float(bar_rects(group)[0].get("x", "0"))


# --- the timeline ---------------------------------------------------------------------------


def test_one_bar_per_cycle_sized_by_requests_and_coloured_by_outcome() -> None:
    cycles = [
        cycle(1, 0, 40, kind="initial", created=2, failed=1),
        cycle(2, 40, 10, updated=1),
        cycle(3, 80, 0),
    ]
    root = parse_svg(render_timeline_svg(cycles))
    groups = cycle_groups(root)
    assert [g.get("data-kind") for g in groups] == ["initial", "incremental", "incremental"]

    heights = [bar_height(g) for g in groups]
    assert heights[0] > heights[1] > heights[2] > 0
    # Height follows requests (4 px floor for an idle cycle): 40 requests vs 10.
    assert (heights[0] - 4) == pytest.approx(4 * (heights[1] - 4), rel=0.02)

    first = {r.get("fill"): float(r.get("height", "0")) for r in bar_rects(groups[0])}
    assert set(first) == {COLOUR["created"], COLOUR["failed"]}
    assert first[COLOUR["created"]] == pytest.approx(2 * first[COLOUR["failed"]], rel=0.02)
    assert any(r.get("stroke") == COLOUR["failed"] for r in groups[0].iter(f"{SVG}rect"))
    assert {r.get("fill") for r in bar_rects(groups[2])} == {NO_CHANGE_COLOUR}

    tooltip = groups[0].findtext(f"{SVG}title") or ""
    assert "Cycle 1 (initial)" in tooltip and "40 requests" in tooltip
    assert "2 created, 1 failed" in tooltip
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"0", "+40m", "+1h20m"} <= set(texts)  # the virtual-time axis
    assert {"40", "10"} <= set(texts)  # request counts above the bars


def test_bars_sit_on_the_virtual_clock() -> None:
    cycles = [cycle(1, 0, 1), cycle(2, 40, 1), cycle(3, 120, 1)]
    lefts = [bar_left(g) for g in cycle_groups(parse_svg(render_timeline_svg(cycles)))]
    # 40 minutes, then 80: the second gap is twice the first.
    assert lefts[2] - lefts[1] == pytest.approx(2 * (lefts[1] - lefts[0]), rel=0.02)


def quarantine_shading(root: ET.Element) -> list[tuple[float, float, str]]:
    shaded = []
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "pv-quarantine":
            rect = group.find(f"{SVG}rect")
            assert rect is not None
            left = float(rect.get("x", "0"))
            shaded.append(
                (left, left + float(rect.get("width", "0")), group.findtext(f"{SVG}text") or "")
            )
    return shaded


def test_quarantine_is_shaded_from_its_first_cycle_until_a_cycle_runs_normally() -> None:
    reason = "Invalid credentials (401 from the Tenant URL)"
    cycles = [
        cycle(1, 0, 5, created=5),
        cycle(2, 40, 3, failed=3, quarantine_reason=reason),
        cycle(3, 160, 1, failed=1, quarantine_reason=reason),
        cycle(4, 400, 2, updated=2),
    ]
    root = parse_svg(render_timeline_svg(cycles))
    groups = cycle_groups(root)
    ((start, end, label),) = quarantine_shading(root)
    assert start == pytest.approx(bar_left(groups[1]))
    assert end == pytest.approx(bar_left(groups[3]))
    assert label == f"Quarantine: {reason}"
    assert "quarantine: " + reason in (groups[2].findtext(f"{SVG}title") or "")


def test_a_quarantine_still_on_at_the_end_runs_to_the_edge_and_reasons_stay_apart() -> None:
    cycles = [
        cycle(1, 0, 1, failed=1, quarantine_reason="Escrow threshold exceeded"),
        cycle(2, 40, 1, failed=1, quarantine_reason="SCIM endpoint unreachable"),
    ]
    first, second = quarantine_shading(parse_svg(render_timeline_svg(cycles)))
    assert first[2] == "Quarantine: Escrow threshold exceeded"
    assert second[2] == "Quarantine: SCIM endpoint unreachable"
    assert first[1] == pytest.approx(second[0])
    assert second[1] == pytest.approx(740.0)  # the plot's right edge


def test_without_cycles_or_virtual_times_the_picture_still_says_something() -> None:
    empty = parse_svg(render_timeline_svg([]))
    assert "No sync cycles ran in this scenario." in "".join(empty.itertext())

    untimed = [{**cycle(n, 0, n), "virtual_time": None} for n in (1, 2, 3)]
    root = parse_svg(render_timeline_svg(untimed))
    assert len(cycle_groups(root)) == 3
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"#1", "#2", "#3", "cycle order"} <= set(texts)


def test_cycles_in_the_same_second_stay_visible_side_by_side() -> None:
    cycles = [cycle(1, 0, 4, created=4), cycle(2, 0, 1, kind="on-demand", updated=1)]
    first, second = cycle_groups(parse_svg(render_timeline_svg(cycles)))
    width = float(bar_rects(first)[0].get("width", "0"))
    assert bar_left(second) >= bar_left(first) + width


def test_connection_tests_and_provisions_on_demand_are_drawn_as_what_they_are() -> None:
    cycles = [
        cycle(1, 0, 6, kind="Initial", created=3),
        {**cycle(2, 1, 1, kind="Test Connection"), "sender": "test-connection"},
        {**cycle(3, 2, 3, kind="Provision on demand", created=1), "sender": "on-demand"},
    ]
    root = parse_svg(render_timeline_svg(cycles))
    initial, probe, on_demand = cycle_groups(root)
    assert [g.get("data-sender") for g in (initial, probe, on_demand)] == [
        "cycle",
        "test-connection",
        "on-demand",
    ]
    assert {r.get("fill") for r in bar_rects(probe)} == {TEST_CONNECTION_COLOUR}
    assert "Test Connection (probe 2)" in (probe.findtext(f"{SVG}title") or "")
    assert "no changes" not in (probe.findtext(f"{SVG}title") or "")  # a probe changes nothing
    # A provision on demand shows its outcomes, as a cycle does, outlined with dashes.
    assert {r.get("fill") for r in bar_rects(on_demand)} == {COLOUR["created"]}
    outline = [r for r in on_demand.iter(f"{SVG}rect") if r.get("class") == "pv-on-demand"]
    assert outline and outline[0].get("stroke") == ON_DEMAND_OUTLINE
    assert "Provision on demand 3" in (on_demand.findtext(f"{SVG}title") or "")
    assert "1 created" in (on_demand.findtext(f"{SVG}title") or "")
    legend = [g for g in root.iter(f"{SVG}g") if g.get("class") == "pv-legend"]
    names = {t.text for t in legend[0].iter(f"{SVG}text")}
    assert {"on demand", "Test Connection"} <= names
    title = root.findtext(f"{SVG}title") or ""
    assert title == "1 sync cycle, 1 provision on demand, 1 Test Connection on the virtual clock"
    # With cycles alone, the legend has no entry for what did not happen.
    alone = parse_svg(render_timeline_svg([cycle(1, 0, 1)]))
    assert not {"on demand", "Test Connection"} & {t.text for t in alone.iter(f"{SVG}text")}


def test_a_test_connection_during_quarantine_does_not_end_the_shading() -> None:
    reason = "EncounteredQuarantineException"
    cycles = [
        cycle(1, 0, 1, failed=1, quarantine_reason=reason),
        {**cycle(2, 30, 1, kind="Test Connection"), "sender": "test-connection"},
        cycle(3, 360, 1, failed=1, quarantine_reason=reason),
        cycle(4, 720, 1, updated=1),
    ]
    root = parse_svg(render_timeline_svg(cycles))
    groups = cycle_groups(root)
    ((start, end, _),) = quarantine_shading(root)
    assert start == pytest.approx(bar_left(groups[0]))
    assert end == pytest.approx(bar_left(groups[3]))


def test_the_sender_names_are_the_engines() -> None:
    # timeline.json holds fake_entra.scim_client.OriginKind values; reports read them as text.
    assert [str(kind) for kind in OriginKind] == [
        SENDER_CYCLE,
        SENDER_ON_DEMAND,
        SENDER_TEST_CONNECTION,
    ]


def test_hostile_cycle_text_is_escaped() -> None:
    svg = render_timeline_svg(
        [cycle(1, 0, 1, kind='"><script>alert(1)</script>', quarantine_reason="<b>x</b> & y")]
    )
    assert "<script" not in svg and "<b>" not in svg
    root = parse_svg(svg)
    assert "Quarantine: <b>x</b> & y" in "".join(root.itertext())


@pytest.mark.parametrize(
    ("seconds", "label"),
    [(0, "0"), (30, "30s"), (90, "1m30s"), (2400, "40m"), (4800, "1h20m"), (7200, "2h"),
     (86400 + 4 * 3600, "1d 4h")],
)  # fmt: skip
def test_offsets_read_like_durations(seconds: float, label: str) -> None:
    assert format_offset(seconds) == label


# --- the exchanges table and redaction ------------------------------------------------------

HOSTILE = '</pre></td></tr><script>alert("x")</script><img src=x onerror=alert(1)>'


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def start_tags(markup: str) -> set[str]:
    parser = _Tags()
    parser.feed(markup)
    return set(parser.tags)


def exchange(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "seq": 7,
        "virtual_time": "2025-01-01T00:40:00+00:00",
        "elapsed_ms": 3.25,
        "method": "PATCH",
        "url": "https://api.linkedin.com/scim/Users/u1",
        "path": "/scim/Users/u1",
        "query": "",
        "request": {"headers": {"Authorization": "Bearer abc.DEF-123_x"}, "body": None},
        "response": {"status": 200, "headers": {}, "body": None},
        "violations": [],
    }
    return base | fields


def test_a_row_per_exchange_with_bodies_collapsible() -> None:
    table = render_exchanges_table(
        [
            exchange(),
            exchange(
                seq=8,
                method="GET",
                path="/scim/Users",
                query='filter=userName eq "britta"',
                response={"status": 404, "headers": {}, "body": {"detail": "nope"}},
            ),
        ]
    )
    assert table.count('<tr class="pv-exchange') == 2
    assert "<td>PATCH</td>" in table and "<td>00:40:00</td>" in table
    assert '<td class="pv-s4xx">404</td>' in table and '<td class="pv-num">3.2</td>' in table
    assert "/scim/Users?filter=userName eq &quot;britta&quot;" in table
    assert table.count("<details><summary>Request and response</summary>") == 2
    assert "&quot;detail&quot;: &quot;nope&quot;" in table


def test_each_exchange_names_the_cycle_that_sent_it_and_a_missing_response_is_shown() -> None:
    timeline = [{**cycle(1, 0, 1), "exchanges": [2]}, {**cycle(2, 40, 1), "exchanges": [3]}]
    table = render_exchanges_table(
        [
            exchange(seq=1),  # Test Connection's probe: no cycle sent it
            exchange(seq=2),
            exchange(
                seq=3,
                response=None,
                error="ConnectTimeout: no answer from https://api.linkedin.com (Bearer zzz)",
            ),
        ],
        timeline,
    )
    rows = re.findall(r'<tr class="pv-exchange[^"]*">(.*?)</tr>', table)
    assert [re.findall(r"<td[^>]*>(.*?)</td>", row)[:2] for row in rows] == [
        ["1", ""],
        ["2", "#1"],
        ["3", "#2"],
    ]
    assert '<td class="pv-s0xx">no response</td>' in rows[2]
    assert "<th>Sent by</th>" in table
    assert "<li>ConnectTimeout: no answer from https://api.linkedin.com (Bearer ***</li>" in table
    assert table.count('<tr class="pv-exchange pv-violation">') == 1


def test_schema_violations_are_highlighted_and_listed() -> None:
    violation = {
        "where": "response",
        "pointer": "/active",
        "rule": "type: 'True' is not of type 'boolean'",
        "schema": "user.schema.json",
    }
    table = render_exchanges_table([exchange(violations=[violation, "request /: plain text"])])
    assert '<tr class="pv-exchange pv-violation">' in table
    assert '<span class="pv-bad">✗ 2</span>' in table
    assert (
        "<li>response /active: type: &#x27;True&#x27; is not of type &#x27;boolean&#x27; "
        "[user.schema.json]</li>" in table
    )
    assert "<li>request /: plain text</li>" in table


def test_hostile_bodies_headers_paths_and_violations_are_escaped() -> None:
    table = render_exchanges_table(
        [
            exchange(
                path=f"/scim/Users/{HOSTILE}",
                request={"headers": {"X-Evil": HOSTILE}, "body": {"displayName": HOSTILE}},
                response={"status": 400, "headers": {}, "body": HOSTILE},
                violations=[HOSTILE],
            )
        ]
    )
    assert start_tags(table) <= {
        "table", "thead", "tbody", "tr", "th", "td", "span", "ul", "li", "details", "summary",
        "div", "h5", "pre",
    }  # fmt: skip
    assert "&lt;script&gt;" in table and "<script" not in table and "<img" not in table


def test_tokens_never_show_after_bearer() -> None:
    table = render_exchanges_table(
        [
            exchange(
                query="access_token=qs-secret&count=5",
                request={
                    "headers": {"Authorization": "Bearer abc.DEF-123_x", "X-Note": "bearer  t0k"},
                    "body": {"secretToken": "body-secret", "note": "use Bearer in-text-secret"},
                },
                response={
                    "status": 201,
                    "headers": {"Set-Cookie": "session=cookie-secret"},
                    "body": '{"token": "raw-json-secret"}',
                },
                violations=["sent Bearer violation-secret"],
            )
        ]
    )
    for secret in (
        "abc.DEF-123_x", "t0k", "body-secret", "in-text-secret", "cookie-secret",
        "raw-json-secret", "violation-secret", "qs-secret",
    ):  # fmt: skip
        assert secret not in table
    assert "Authorization: Bearer ***" in table and "count=5" in table
    assert all(after.startswith("***") for after in re.split(r"(?i)bearer\s+", table)[1:])


@settings(max_examples=200, deadline=None)
@given(
    # A credential has no whitespace (RFC 6750 §2.1 b64token); anything else may be in it.
    token=st.text(
        alphabet=st.characters(
            min_codepoint=33, max_codepoint=0x2FF, exclude_categories=("Zs", "Cc")
        ),
        min_size=1,
        max_size=40,
    ),
    scheme=st.sampled_from(["Bearer", "bearer", "BEARER"]),
    before=st.text(alphabet="abc :,", max_size=5),
)
def test_redact_text_leaves_nothing_of_the_credential(token: str, scheme: str, before: str) -> None:
    redacted = redact_text(f"{before}{scheme} {token}")
    assert redacted == f"{before}{scheme} ***"


def test_redact_masks_secret_keys_at_any_depth_and_leaves_the_rest() -> None:
    value = {
        "Resources": [{"userName": "britta", "password": "p@ss", "adminKey": "k"}],
        "token": "t",
        "tokenCount": 3,
        "note": "Bearer x",
    }
    assert redact(value) == {
        "Resources": [{"userName": "britta", "password": "***", "adminKey": "***"}],
        "token": "***",
        "tokenCount": 3,
        "note": "Bearer ***",
    }
    assert redact_header("Authorization", "Basic dXNlcjpwYXNz") == "Basic ***"
    assert redact_header("Content-Type", "application/scim+json") == "application/scim+json"
    assert redact_header("Cookie", "session=abc; theme=dark") == "***"


def test_big_bodies_are_cut_with_a_pointer_to_the_artifact() -> None:
    body = {"displayName": "x" * (MAX_BODY_CHARS * 2)}
    table = render_exchanges_table(
        [exchange(response={"status": 200, "headers": {}, "body": body})]
    )
    assert "more characters in traffic.jsonl)" in table
    assert len(table) < MAX_BODY_CHARS * 2


def test_each_exchange_names_the_test_connection_or_provision_on_demand_that_sent_it() -> None:
    timeline = [
        {**cycle(1, 0, 1), "exchanges": [1, 3]},
        {**cycle(2, 1, 1, kind="Test Connection"), "sender": "test-connection", "exchanges": [2]},
        {**cycle(3, 2, 1, kind="Provision on demand"), "sender": "on-demand", "exchanges": [4]},
        {**cycle(4, 40, 1), "exchanges": [5]},
    ]
    table = render_exchanges_table([exchange(seq=n) for n in range(1, 6)], timeline)
    rows = re.findall(r'<tr class="pv-exchange[^"]*">(.*?)</tr>', table)
    # Sync cycles are numbered among themselves: the one at +40m is the second.
    assert [re.findall(r"<td[^>]*>(.*?)</td>", row)[1] for row in rows] == [
        "#1",
        "Test Connection",
        "#1",
        "on demand",
        "#2",
    ]
    block = render_scenario([exchange(seq=n) for n in range(1, 6)], timeline)
    assert "2 cycles, 1 provision on demand, 1 Test Connection, virtual time" in block
    assert summarize([], timeline)["cycles"] == 2  # the results table counts sync cycles


def test_the_scenario_block_has_the_picture_and_the_table() -> None:
    block = render_scenario([exchange(violations=["v"])], [cycle(1, 0, 1, created=1)])
    assert block.count("<svg") == 1 and "<table" in block and "<style>" in block
    assert "SCIM exchanges (1, 1 schema violation)" in block
    assert "1 cycle, virtual time 2025-01-01T00:00:00+00:00" in block


# --- the live progress display ------------------------------------------------------------


def test_progress_prints_one_line_per_scenario_when_not_on_a_terminal(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        def test_ok():
            pass

        def test_broken():
            assert 1 == 2, "seat count is off"
        """
    )
    screen = StringIO()
    ticks = iter(range(100))
    progress = ScenarioProgress(
        console=Console(file=screen, width=100), live=False, now=lambda: float(next(ticks))
    )
    result = pytester.runpytest("-p", "no:cacheprovider", plugins=[progress])
    result.assert_outcomes(passed=1, failed=1)
    lines = screen.getvalue().splitlines()
    assert lines[0].startswith("PASSED  test_progress_prints_one_line_per_scenario")
    assert re.match(
        r"FAILED  \S+::test_broken \(\d\.\d\d s\) — AssertionError: seat count", lines[1]
    )
    assert lines[-1] == "2 scenarios: 1 passed, 1 failed in 1.00 s"
    assert any("FAILED" in line and "test_broken" in line and "─" in line for line in lines)


# --- the plugin under plain pytest ----------------------------------------------------------

FEATURE = """\
@licensing
Feature: Seats
  Scenario: The last seat goes first come, first served
    Given a pool with one seat
    Then the first user gets it

  Scenario Outline: Reports carry <count> exchanges
    Given a pool with one seat
    Then the first user gets it

    Examples:
      | count |
      | 1     |
      | 2     |
"""

CONFTEST = """\
import json

import pytest
from pytest_bdd import given, then


def pytest_configure(config):
    config.addinivalue_line("markers", "licensing: licences")


@given("a pool with one seat", target_fixture="seats")
def pool():
    return 1


@then("the first user gets it")
def first(seats):
    assert seats == 1


@pytest.fixture(autouse=True)
def artifacts(request, tmp_path):
    yield
    exchanges = [
        {"seq": 1, "method": "POST", "path": "/scim/Users", "query": "",
         "request": {"headers": {"Authorization": "Bearer plugin-test-secret"}, "body": None},
         "response": {"status": 201, "headers": {}, "body": None},
         "violations": ["response /id: missing"]},
    ]
    (tmp_path / "traffic.jsonl").write_text("\\n".join(json.dumps(e) for e in exchanges))
    (tmp_path / "timeline.json").write_text(json.dumps([
        {"cycle_id": "1", "kind": "initial", "virtual_time": "2025-01-01T00:00:00Z",
         "requests": 1, "created": 1}]))
    request.node.user_properties.append(("provisim_traffic", str(tmp_path / "traffic.jsonl")))
    request.node.user_properties.append(("provisim_timeline", str(tmp_path / "timeline.json")))
"""


def test_plain_pytest_collects_feature_files_and_enriches_the_html_report(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".feature", seats=FEATURE)
    pytester.makeconftest(CONFTEST)
    result = pytester.runpytest(
        "-p",
        "harness.reporting",
        "-p",
        "no:cacheprovider",
        "--html=report.html",
        "--self-contained-html",
        "-m",
        "licensing",
    )
    result.assert_outcomes(passed=3)
    text = (pytester.path / "report.html").read_text(encoding="utf-8")
    assert f'<title id="head-title">{REPORT_TITLE}</title>' in text
    # pytest-html keeps the results, extras included, as JSON in one HTML attribute.
    blob = re.search(r'data-jsonblob="([^"]*)"', text)
    assert blob is not None
    data = json.loads(html.unescape(blob.group(1)))
    tests = data["tests"]
    assert sorted(tests) == [
        "seats.feature::test_reports_carry_count_exchanges[1]",
        "seats.feature::test_reports_carry_count_exchanges[2]",
        "seats.feature::test_the_last_seat_goes_first_come_first_served",
    ]
    for (row,) in tests.values():
        cells = row["resultsTableRow"]
        assert '<td class="col-exchanges">1</td>' in cells
        assert '<td class="col-violations pv-bad">1</td>' in cells
        assert '<td class="col-cycles">1</td>' in cells
        (extra,) = [e["content"] for e in row["extras"] if e["format_type"] == "html"]
        assert "<svg" in extra and "response /id: missing" in extra
    assert "plugin-test-secret" not in text
    assert data["title"] == REPORT_TITLE
