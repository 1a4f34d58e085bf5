"""harness.reports.exchanges: the table of a scenario's SCIM exchanges, escaped and with
every secret masked."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from reports_support import cycle, exchange, mixed_timeline

from harness.reports.exchanges import MAX_BODY_CHARS, render_exchanges_table
from harness.reports.timeline import scenario_origin

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
    assert "<td>PATCH</td>" in table and "<td>day 0 00:40:00</td>" in table
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


def test_big_bodies_are_cut_with_a_pointer_to_the_artifact() -> None:
    body = {"displayName": "x" * (MAX_BODY_CHARS * 2)}
    table = render_exchanges_table(
        [exchange(response={"status": 200, "headers": {}, "body": body})]
    )
    assert "more characters in traffic.jsonl)" in table
    assert len(table) < MAX_BODY_CHARS * 2


def test_each_exchange_names_the_test_connection_or_provision_on_demand_that_sent_it() -> None:
    timeline = mixed_timeline()
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


def test_rows_of_a_long_quarantine_read_their_day() -> None:
    # Every cycle of a 28-day quarantine runs at 09:40: only the day tells the rows apart.
    rows = [
        exchange(seq=1, virtual_time="2026-01-05T09:40:00Z"),
        exchange(seq=2, virtual_time="2026-01-19T09:40:00Z"),
        exchange(seq=3, virtual_time="2026-02-02T09:40:00Z"),
    ]
    table = render_exchanges_table(rows)
    for day in (0, 14, 28):
        assert f"<td>day {day} 09:40:00</td>" in table
    # A table of some of a scenario's exchanges counts days from the scenario's first.
    later = render_exchanges_table(rows[2:], origin=scenario_origin("2026-01-05T09:00:00Z"))
    assert "<td>day 28 09:40:00</td>" in later
