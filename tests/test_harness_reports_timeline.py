"""harness.reports.timeline: the SVG picture of a scenario's sync cycles."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from reports_support import cycle, exchange

from harness.reports.timeline import (
    FAILED_COLOUR,
    NO_CHANGE_COLOUR,
    ON_DEMAND_OUTLINE,
    OUTCOME_COLOURS,
    QUARANTINE_COLOUR,
    TEST_CONNECTION_COLOUR,
    cycle_outcome,
    format_day_time,
    format_offset,
    render_timeline_svg,
    scenario_origin,
)

SVG = "{http://www.w3.org/2000/svg}"
COLOUR = dict(OUTCOME_COLOURS)


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


def test_a_cycle_whose_request_failed_or_ran_in_quarantine_is_not_no_changes() -> None:
    cycles = [
        {**cycle(1, 0, 1, created=1), "exchanges": [1]},
        {**cycle(2, 40, 1), "exchanges": [2]},  # its PATCH got 401
        {**cycle(3, 80, 1, quarantine_reason="EncounteredQuarantineException"), "exchanges": [3]},
        {**cycle(4, 120, 0), "exchanges": []},
    ]
    exchanges = [
        exchange(seq=1, response={"status": 201, "headers": {}, "body": None}),
        exchange(seq=2, response={"status": 401, "headers": {}, "body": None}),
        exchange(seq=3, response={"status": 401, "headers": {}, "body": None}),
    ]
    groups = cycle_groups(parse_svg(render_timeline_svg(cycles, exchanges)))
    assert [g.get("data-outcome") for g in groups] == [
        "changes", "failed", "quarantined", "no-changes",
    ]  # fmt: skip
    assert {r.get("fill") for r in bar_rects(groups[1])} == {FAILED_COLOUR}
    assert {r.get("fill") for r in bar_rects(groups[2])} == {QUARANTINE_COLOUR}
    assert {r.get("fill") for r in bar_rects(groups[3])} == {NO_CHANGE_COLOUR}
    assert "1 failed request (401)" in (groups[1].findtext(f"{SVG}title") or "")
    assert cycle_outcome(cycles[1], {2: 401}) == ("failed", "1 failed request (401)")


def test_a_month_of_cycles_folds_the_idle_ones_and_keeps_every_outcome_in_sight() -> None:
    # The purge scenario's shape: busy at the start, 1,100 idle cycles, a DELETE on day 30.
    start = datetime(2025, 1, 1, tzinfo=UTC)

    def at(entry: dict[str, Any], minutes: int) -> dict[str, Any]:
        return entry | {"virtual_time": (start + timedelta(minutes=minutes)).isoformat()}

    cycles = [at(cycle(1, 0, 6, kind="Initial", created=6), 0), at(cycle(2, 0, 1, updated=1), 40)]
    cycles += [at(cycle(n, 0, 0), 40 * n) for n in range(3, 1084)]
    cycles += [at(cycle(1084, 0, 1, deleted=1), 30 * 1440 + 40)]
    cycles += [at(cycle(n, 0, 0), 40 * (n - 1084) + 30 * 1440 + 40) for n in range(1085, 1118)]
    root = parse_svg(render_timeline_svg(cycles))
    groups = cycle_groups(root)
    folds = [g for g in root.iter(f"{SVG}g") if g.get("class") == "pv-fold"]
    assert len(groups) + sum(int(g.get("data-cycles", "0")) for g in folds) == 1117
    (deleted,) = [g for g in groups if any(r.get("class") == "pv-deleted" for r in g.iter())]
    width = float(root.get("width", "0"))
    assert 0 < bar_left(deleted) < width <= 1600  # in the picture, which stays readable
    assert "at day 30 00:40:00" in (deleted.findtext(f"{SVG}title") or "")
    labels = {t.text for t in root.iter(f"{SVG}text")}
    assert "day 0 00:00" in labels and "day 30 00:40" in labels
    assert any(text and text.endswith("idle cycles") for text in labels)


def test_times_read_day_and_time() -> None:
    origin = scenario_origin("2026-01-05T09:00:00+00:00", "2026-02-04T09:40:00Z")
    assert format_day_time("2026-02-04T09:40:00Z", origin) == "day 30 09:40:00"
    assert format_day_time("2026-01-05T09:00:00+00:00", origin, seconds=False) == "day 0 09:00"
    assert format_day_time("not a time", origin) == "not a time"
