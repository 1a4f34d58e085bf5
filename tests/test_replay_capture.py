"""Reading captures (harness.replay.capture): traffic.jsonl, HAR 1.2, and every way a file
can fail to be one, each as one readable line."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from harness.replay.capture import (
    HAR,
    TRAFFIC_JSONL,
    CaptureError,
    load_capture,
    scim_base,
)


def _traffic(
    seq: int, method: str, url: str, status: int | None, body: Any = None
) -> dict[str, Any]:
    return {
        "seq": seq,
        "method": method,
        "url": url,
        "request": {"headers": {"authorization": "Bearer ***"}, "body": None},
        "response": None if status is None else {"status": status, "headers": {}, "body": body},
        "error": None if status is not None else "ReadTimeout: timed out",
        "violations": [],
    }


def _entry(
    method: str, url: str, status: int, text: str | None = None, **extra: Any
) -> dict[str, Any]:
    content: dict[str, Any] = {"size": len(text or ""), "mimeType": "application/scim+json"}
    if text is not None:
        content["text"] = text
    return {
        "startedDateTime": "2026-12-01T10:00:00.000Z",
        "request": {
            "method": method,
            "url": url,
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": "Authorization", "value": "Bearer recorded-secret-0123456789"}],
            **extra,
        },
        "response": {"status": status, "headers": [], "content": content},
    }


def _har(path: Path, entries: list[dict[str, Any]], version: Any = "1.2") -> Path:
    log: dict[str, Any] = {"creator": {"name": "test", "version": "1"}, "entries": entries}
    if version is not None:
        log["version"] = version
    path.write_text(json.dumps({"log": log}), encoding="utf-8")
    return path


def test_traffic_jsonl_is_read_in_order_with_its_seq(tmp_path: Path) -> None:
    path = tmp_path / "traffic.jsonl"
    lines = [
        _traffic(1, "GET", "https://api.linkedin.com/Users?filter=x", 200, {"Resources": []}),
        _traffic(2, "post", "https://api.linkedin.com/Users", 201, {"id": "a"}),
        _traffic(3, "GET", "https://api.linkedin.com/Users/a", None),
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n", encoding="utf-8")
    capture = load_capture(path)
    assert capture.format == TRAFFIC_JSONL
    assert capture.base_url == "https://api.linkedin.com"
    assert [(e.number, e.method, e.status) for e in capture.exchanges] == [
        (1, "GET", 200),
        (2, "POST", 201),
        (3, "GET", None),
    ]
    assert capture.exchanges[2].error == "ReadTimeout: timed out"
    assert capture.secrets == frozenset()


def test_a_har_keeps_only_the_scim_requests_and_remembers_the_credential(tmp_path: Path) -> None:
    body = json.dumps({"id": "u1", "userName": "a"})
    path = _har(
        tmp_path / "capture.har",
        [
            _entry("GET", "https://portal.example/app.js", 200, "x"),
            _entry(
                "POST",
                "https://vendor.example/scim/v2/Users",
                201,
                base64.b64encode(body.encode()).decode(),
                postData={"mimeType": "application/scim+json", "text": '{"userName":"a"}'},
            ),
            _entry("GET", "https://vendor.example/scim/v2/Users/u1", 200, None),
            _entry("DELETE", "https://vendor.example/scim/v2/Users/u1", 0, None),
        ],
    )
    entries = json.loads(path.read_text())
    entries["log"]["entries"][1]["response"]["content"]["encoding"] = "base64"
    path.write_text(json.dumps(entries))
    capture = load_capture(path)
    assert capture.format == HAR
    assert capture.base_url == "https://vendor.example/scim/v2"
    assert capture.ignored == 1
    post, get, delete = capture.exchanges
    assert (post.number, post.body, post.response_body) == (2, {"userName": "a"}, json.loads(body))
    assert post.content_type == "application/scim+json"
    # A HAR without content.text: the body was not recorded, so it is not compared.
    assert (get.status, get.response_body_known) == (200, False)
    # Status 0: the browser got no response.
    assert (delete.status, delete.response_body_known) == (None, False)
    assert capture.secrets == frozenset({"recorded-secret-0123456789"})


def test_recorded_url_names_the_base_and_filters_the_rest(tmp_path: Path) -> None:
    path = _har(
        tmp_path / "c.har",
        [
            _entry("GET", "https://a.example/scim/Users", 200, "{}"),
            _entry("GET", "https://b.example/scim/Users", 200, "{}"),
        ],
    )
    with pytest.raises(CaptureError, match=r"several base URLs .*--recorded-url"):
        load_capture(path)
    capture = load_capture(path, "HTTPS://B.example/scim/")
    assert capture.base_url == "https://b.example/scim"
    assert [e.url for e in capture.exchanges] == ["https://b.example/scim/Users"]
    with pytest.raises(CaptureError, match=r"no request in .* is under the recorded URL"):
        load_capture(path, "https://c.example/scim")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "is empty: no exchange to replay"),
        ("  \n\n", "is empty"),
        ("not json at all\n", "neither HAR nor traffic.jsonl: line 1 is not JSON"),
        ('{"seq": 1}\n{"seq": 2,\n', "line 2 is not JSON"),
        ("[1, 2]", "holds a JSON list, neither HAR"),
        ('{"log": {"version": "1.1", "entries": []}}', "HAR version '1.1' is not supported"),
        ('{"log": {"entries": []}}', "HAR version none \\(HAR 1.1\\) is not supported"),
        ('{"log": {"version": "1.2"}}', "the HAR log has no entries list"),
        ('{"log": {"version": "1.2", "entries": []}}', "holds no exchange to replay"),
        ('{"seq": 1, "method": "GET"}', "line 1: not a traffic.jsonl exchange"),
        (
            '{"method": "GET", "url": "https://h/Users", "response": {"status": "200"}}',
            "the response has no HTTP status",
        ),
        (
            '{"method": "GET", "url": "https://h/other", "response": null}',
            "no SCIM request in .*--recorded-url",
        ),
    ],
)
def test_a_bad_file_is_one_readable_line(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "capture"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CaptureError, match=expected) as caught:
        load_capture(path)
    assert "\n" not in str(caught.value)


def test_a_missing_a_binary_and_a_directory_file_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(CaptureError, match=r"cannot read .*missing"):
        load_capture(tmp_path / "missing")
    with pytest.raises(CaptureError, match="is a directory"):
        load_capture(tmp_path)
    binary = tmp_path / "b"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CaptureError, match="not UTF-8"):
        load_capture(binary)


def test_the_scim_base_is_what_comes_before_the_first_endpoint_segment() -> None:
    assert scim_base("https://H.example/scim/v2/Users/1?x=1") == "https://h.example/scim/v2"
    assert scim_base("https://api.linkedin.com/Groups") == "https://api.linkedin.com"
    assert scim_base("https://h/tenant/ServiceProviderConfig") == "https://h/tenant"
    assert scim_base("https://h/app.js") is None
