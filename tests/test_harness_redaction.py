"""harness.redaction: one routine masks every secret provisim knows, by value, wherever it is."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import httpx

from harness.redaction import MASK, Redactor, redact_files

SECRET = 's3cr3t/t0ken+with=odd"chars'


def test_a_secret_is_masked_as_written_percent_encoded_and_json_escaped() -> None:
    redactor = Redactor([SECRET])
    escaped = json.dumps(SECRET)[1:-1]
    text = f"a {SECRET} b {quote(SECRET, safe='')} c {escaped}"
    assert redactor.text(text) == f"a {MASK} b {MASK} c {MASK}"
    assert SECRET.encode() not in redactor.bytes(f'{{"echo": "{SECRET}"}}'.encode())


def test_json_values_are_masked_in_keys_values_and_under_secret_keys() -> None:
    redactor = Redactor([SECRET])
    masked = redactor.value(
        {SECRET: [f"x{SECRET}y", 3, None], "secretToken": "anything", "nested": {"a": SECRET}}
    )
    assert masked == {MASK: [f"x{MASK}y", 3, None], "secretToken": MASK, "nested": {"a": MASK}}


def test_headers_keep_the_scheme_and_lose_the_value_wherever_it_is_echoed() -> None:
    redactor = Redactor([SECRET])
    headers = httpx.Headers(
        {
            "Authorization": "Bearer whatever",
            "X-Echo-Token": SECRET,
            "WWW-Authenticate": f'Bearer realm="{SECRET}"',
            "Set-Cookie": "session=abc",
        }
    )
    assert redactor.headers(headers) == {
        "authorization": f"Bearer {MASK}",
        "x-echo-token": MASK,
        "www-authenticate": f"Bearer {MASK}",
        "set-cookie": MASK,
    }


def test_short_values_are_not_masked_everywhere_and_masks_are_not_masked_again() -> None:
    redactor = Redactor(["short"], mask="<redacted>")
    assert redactor.text("a short word") == "a short word"
    assert redactor.text("Bearer <redacted>") == "Bearer <redacted>"
    assert Redactor().text("Bearer ***") == "Bearer ***"
    assert redactor.text("Bearer abc") == "Bearer <redacted>"


def test_values_only_leaves_what_merely_looks_like_a_credential() -> None:
    # What a console prints: `provisim serve` shows its own token on purpose.
    assert Redactor([SECRET]).values(f"Bearer token: abc {SECRET}") == f"Bearer token: abc {MASK}"


def test_files_are_masked_in_place_and_untouched_files_are_left_alone(tmp_path: Path) -> None:
    leaky = tmp_path / "deep" / "traffic.jsonl"
    leaky.parent.mkdir()
    leaky.write_text(f"line one\n{SECRET} twice {SECRET}\n", encoding="utf-8")
    clean = tmp_path / "clean.txt"
    clean.write_text("nothing here\n", encoding="utf-8")
    before = clean.stat().st_mtime_ns
    assert redact_files(tmp_path, Redactor([SECRET])) == 1
    assert leaky.read_text(encoding="utf-8") == f"line one\n{MASK} twice {MASK}\n"
    assert clean.stat().st_mtime_ns == before
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["clean.txt", "deep", "traffic.jsonl"]
    assert redact_files(tmp_path, Redactor()) == 0
