from __future__ import annotations

import gc
import json
import math
from enum import StrEnum
from urllib.parse import parse_qsl

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_entra.dialects import Dialect
from fake_entra.scim_client import (
    ORIGIN_EXTENSION,
    PARSED_BODY_EXTENSION,
    SCIM_MEDIA_TYPE,
    OriginKind,
    RequestOrigin,
    ScimClient,
    TenantUrl,
    decode_json,
    dialect_from_tenant_url,
    encode_json,
    encode_query,
    eq_filter,
    parsed_body,
)


class Recorder:
    """A MockTransport that records requests and answers 200 with an empty body."""

    def __init__(self, status: int = 200) -> None:
        self.requests: list[httpx.Request] = []
        self.status = status
        self.transport = httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, json={})


@pytest.mark.parametrize(
    ("tenant_url", "base_url", "flags"),
    [
        ("https://api.linkedin.com", "https://api.linkedin.com", set()),
        ("https://api.linkedin.com/", "https://api.linkedin.com", set()),
        ("https://host/scim/v2/?aadOptscim062020", "https://host/scim/v2", {"aadoptscim062020"}),
        ("https://host/scim?AADOPTSCIM062020", "https://host/scim", {"aadoptscim062020"}),
        (
            "https://host/scim?aadOptscim062020&AzureAdScimPatch2017",
            "https://host/scim",
            {"aadoptscim062020", "azureadscimpatch2017"},
        ),
    ],
)
def test_tenant_url_flags_are_stripped_from_the_base_url(tenant_url, base_url, flags) -> None:
    parsed = TenantUrl(tenant_url)
    assert parsed.base_url == base_url
    assert parsed.flags == flags
    assert parsed.original == tenant_url


def test_patch_dialect_follows_the_flag_case_insensitively() -> None:
    assert TenantUrl("https://h/scim").patch_dialect is Dialect.DEFAULT
    assert TenantUrl("https://h/scim?aadoptSCIM062020").patch_dialect is Dialect.AAD_OPT_SCIM_062020
    assert TenantUrl("https://h/scim?aadOptscim062020").has_flag("AADOPTSCIM062020")
    # AzureAdScimPatch2017 rolls the compliant behaviour back (§5.3).
    rolled_back = TenantUrl("https://h/scim?aadOptscim062020&AzureAdScimPatch2017")
    assert rolled_back.patch_dialect is Dialect.DEFAULT


@pytest.mark.parametrize(
    ("url", "dialect"),
    [
        ("https://api.contoso.com/scim/v2/?aadOptscim062020", Dialect.AAD_OPT_SCIM_062020),
        ("https://api.contoso.com/scim/v2?aadOptSCIM062020=true", Dialect.AAD_OPT_SCIM_062020),
        ("https://h/scim?foo=1&AADOPTSCIM062020", Dialect.AAD_OPT_SCIM_062020),
        ("https://h/scim?aadOptscim062020=&x=y", Dialect.AAD_OPT_SCIM_062020),
        ("https://h/scim", Dialect.DEFAULT),
        ("https://h/scim?foo=aadOptscim062020", Dialect.DEFAULT),
        ("https://h/scim?aadOptscim0620201", Dialect.DEFAULT),
        ("https://h/scim/aadOptscim062020", Dialect.DEFAULT),
        ("https://h/scim#aadOptscim062020", Dialect.DEFAULT),
    ],
)
def test_dialect_from_tenant_url(url: str, dialect: Dialect) -> None:
    assert dialect_from_tenant_url(url) is dialect


def test_requests_carry_entras_headers_and_the_stripped_base_url() -> None:
    recorder = Recorder()
    with ScimClient(
        "https://host/scim/v2/?aadOptscim062020", "s3cr3t", transport=recorder.transport
    ) as client:
        assert client.base_url == "https://host/scim/v2"
        assert client.flags == {"aadoptscim062020"}
        assert client.patch_dialect is Dialect.AAD_OPT_SCIM_062020
        client.get("/Users/42")
        client.post("/Users", {"userName": "alice"})
    get, post = recorder.requests
    assert str(get.url) == "https://host/scim/v2/Users/42"
    assert get.method == "GET"
    assert get.headers["Authorization"] == "Bearer s3cr3t"
    assert get.headers["Accept"] == SCIM_MEDIA_TYPE
    assert "Content-Type" not in get.headers
    assert post.headers["Content-Type"] == SCIM_MEDIA_TYPE
    assert json.loads(post.content) == {"userName": "alice"}


def test_patch_and_delete() -> None:
    recorder = Recorder(status=204)
    client = ScimClient("https://api.linkedin.com", "t", transport=recorder.transport)
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": []}
    assert client.patch("Users/1", body).status_code == 204
    assert client.delete("/Groups/2").status_code == 204
    client.close()
    assert [(r.method, str(r.url)) for r in recorder.requests] == [
        ("PATCH", "https://api.linkedin.com/Users/1"),
        ("DELETE", "https://api.linkedin.com/Groups/2"),
    ]
    assert json.loads(recorder.requests[0].content) == body


def test_query_sends_an_eq_filter() -> None:
    recorder = Recorder()
    client = ScimClient("https://h/scim", "t", transport=recorder.transport)
    client.query("/Users", "userName", "alice@contoso.com")
    client.query("/Groups", "displayName", 'Sales "EMEA"', excluded_attributes="members")
    users, groups = recorder.requests
    assert users.url.params["filter"] == 'userName eq "alice@contoso.com"'
    # AzureAD/SCIMReferenceCode#63: Entra sends filter=userName+eq+%22...%22.
    assert users.url.raw_path == b"/scim/Users?filter=userName+eq+%22alice%40contoso.com%22"
    assert groups.url.raw_path == (
        b"/scim/Groups?excludedAttributes=members"
        b"&filter=displayName+eq+%22Sales+%5C%22EMEA%5C%22%22"
    )
    assert groups.url.params["excludedAttributes"] == "members"
    assert groups.url.params["filter"] == 'displayName eq "Sales \\"EMEA\\""'


def test_key_value_query_items_are_kept_as_parameters() -> None:
    recorder = Recorder()
    client = ScimClient(
        "https://h/scim?api-version=2&aadOptscim062020", "t", transport=recorder.transport
    )
    client.get("/Users", params={"startIndex": "1"})
    assert client.tenant_url.parameters == (("api-version", "2"),)
    request = recorder.requests[0]
    assert request.url.params["api-version"] == "2"
    assert request.url.params["startIndex"] == "1"
    assert "aadOptscim062020" not in str(request.url)


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        # The captured forms: spaces "+", quotes %22, "@" %40 (SCIMReferenceCode#63, Q&A 2238842).
        ('userName eq "a@b.com"', "userName+eq+%22a%40b.com%22"),
        # audriga/scim-server-php#1: spaces inside the value are "+" too.
        ('displayName eq "EDU All personal"', "displayName+eq+%22EDU+All+personal%22"),
        # A literal "+" must not read as a space: %2B.
        ('userName eq "ann+test@b.com"', "userName+eq+%22ann%2Btest%40b.com%22"),
        # .NET WebUtility.UrlEncode: -_.!*() kept, ~ ' / : encoded.
        ("a-_.!*()~'/:", "a-_.!*()%7E%27%2F%3A"),
        ("ü", "%C3%BC"),
    ],
)
def test_encode_query_writes_the_form_entra_sends(value: str, encoded: str) -> None:
    assert encode_query([("filter", value)]) == f"filter={encoded}"
    assert parse_qsl(encode_query([("filter", value)])) == [("filter", value)]


def test_eq_filter_escapes_quotes_and_backslashes() -> None:
    assert eq_filter("userName", 'a"b\\c') == 'userName eq "a\\"b\\\\c"'


def test_transport_errors_propagate_to_the_caller() -> None:
    def time_out(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    client = ScimClient("https://h", "t", transport=httpx.MockTransport(time_out), timeout=0.5)
    with pytest.raises(httpx.ReadTimeout):
        client.get("/Users")


def test_the_timeout_is_configurable() -> None:
    seen: list[dict] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, json={})

    ScimClient("https://h", "t", transport=httpx.MockTransport(record), timeout=2.5).get("/Users")
    assert seen[0]["read"] == 2.5


def test_against_a_real_scim_server(scim2_server) -> None:
    with ScimClient(scim2_server.base_url, scim2_server.token) as client:
        created = client.post(
            "/Users",
            {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "alice"},
        )
        assert created.status_code == 201
        found = client.query("/Users", "userName", "alice").json()
        assert found["totalResults"] == 1
        assert client.delete(f"/Users/{created.json()['id']}").status_code == 204


def test_set_cookie_is_ignored_as_entra_carries_no_cookies() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("cookie"))
        return httpx.Response(200, json={"ok": True}, headers={"Set-Cookie": "session=abc"})

    with ScimClient("https://h/scim", "token", transport=httpx.MockTransport(handler)) as client:
        client.get("Users")
        client.get("Users")
    assert seen == [None, None]


def test_no_cookie_is_kept_on_the_path_through_httpxs_client() -> None:
    # A Tenant URL with user info goes through httpx.Client (Basic auth), whose cookie jar
    # would otherwise keep what Set-Cookie says.
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("cookie"))
        return httpx.Response(200, json={"ok": True}, headers={"Set-Cookie": "session=abc"})

    transport = httpx.MockTransport(handler)
    with ScimClient("https://u:p@h/scim", "token", transport=transport) as client:
        client.get("Users")
        client.get("Users")
        assert list(client._http.cookies.jar) == []
    assert seen == [None, None]


# --- the fast paths send the very request the plain httpx path would ------------------------


def _reference_request(
    client: ScimClient,
    method: str,
    path: str,
    params: dict[str, str] | None,
    body: object | None,
) -> httpx.Request:
    """The request as ScimClient built it before its fast paths: full httpx preparation."""
    query = list(client.tenant_url.parameters) + list((params or {}).items())
    headers = list(client._http.headers.raw)
    content = None
    if body is not None:
        content = json.dumps(body, separators=(",", ":")).encode()
        headers.append((b"Content-Type", SCIM_MEDIA_TYPE.encode()))
    url = client.tenant_url.url_for(path)
    if query:
        url += "?" + encode_query(query)
    return httpx.Request(
        method,
        url,
        headers=headers,
        content=content,
        extensions={"timeout": client._http.timeout.as_dict()},
    )


def _shape(request: httpx.Request) -> tuple:
    url = request.url
    return (
        request.method,
        str(url),
        (url.raw_scheme, url.raw_host, url.port, url.raw_path),
        url.userinfo,
        url.fragment,
        request.headers.raw,
        request.content,
        type(request.stream),
        # The parse kept for validating transports is checked on its own (below).
        {k: v for k, v in request.extensions.items() if k != PARSED_BODY_EXTENSION},
    )


def _outcome(build) -> tuple:
    try:
        return ("ok", _shape(build()))
    except Exception as error:  # the same failure is part of the same behaviour
        return ("error", type(error).__name__)


BASE_URLS = [
    "https://api.linkedin.com",
    "https://API.LinkedIn.com:443/scim/v2/?aadOptscim062020",
    "http://127.0.0.1:8080/scim?api-version=2",
    "https://user:pass@host.example/scim",
    "https://host.example/sc im/v2",
    "https://host.example/a/../scim",
    "https://host.example/%7Escim",
    "https://bücher.example/scim",
    "https://[::1]:8443/scim",
    "https://host.example/scim;v=2",
]
PATHS = [
    "Users",
    "/Users",
    "Users/4ccc2e61fa444972ae1fbd6d99daef7a",
    "Users/a b",
    "Users/ü",
    "Users/..",
    "Users/.",
    "Users/.hidden",
    "Users/a%2Fb",
    "Users/a?b",
    "Users/a#b",
    "Groups/x.y~z_1-2",
    "",
    "Users//x",
]


def _sent(client: ScimClient, sent: list[httpx.Request], send) -> tuple:
    """What reached the transport (after httpx's send: auth, cookies), or the failure."""

    def build() -> httpx.Request:
        before = len(sent)
        send()
        assert len(sent) == before + 1
        return sent[-1]

    return _outcome(build)


@pytest.mark.parametrize("base_url", BASE_URLS)
@pytest.mark.parametrize("path", PATHS)
def test_every_request_matches_httpxs_own_preparation(base_url: str, path: str) -> None:
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(204))
    client = ScimClient(base_url, "s3cr3t-token", transport=transport)
    calls = [
        ("GET", {"filter": 'userName eq "ünï \\"q\\"@x"', "excludedAttributes": "members"}, None),
        ("GET", None, None),
        ("DELETE", None, None),
        ("POST", None, {"userName": "alice", "active": True, "n": 1}),
        ("PATCH", None, {"Operations": [{"op": "Replace", "value": "Zoë"}]}),
        ("POST", None, None),
        ("patch", None, {"x": 1.5}),
    ]
    for method, params, body in calls:
        expected = _sent(
            client,
            sent,
            lambda m=method, p=params, b=body: client._http.send(
                _reference_request(client, m, path, p, b)
            ),
        )
        actual = _sent(
            client,
            sent,
            lambda m=method, p=params, b=body: client.request(m, path, params=p, json=b),
        )
        assert actual == expected, (method, base_url, path)


@settings(max_examples=200, deadline=None)
@given(
    path=st.text(alphabet="Ua/.%2Fé ?#~_-\x7f", max_size=12),
    value=st.text(max_size=8),
)
def test_arbitrary_paths_and_filter_values_match_httpx(path: str, value: str) -> None:
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(204))
    client = ScimClient("https://host.example/scim/v2", "token-token", transport=transport)
    params = {"filter": eq_filter("userName", value)}
    expected = _sent(
        client,
        sent,
        lambda: client._http.send(_reference_request(client, "GET", path, params, None)),
    )
    actual = _sent(client, sent, lambda: client.request("GET", path, params=params))
    assert actual == expected


# --- what sent a request: an extension, never on the wire -----------------------------------


@pytest.mark.parametrize(
    "base_url",
    ["https://api.linkedin.com/scim/v2", "https://user:pass@host.example/scim"],  # fast, Client
)
def test_the_origin_rides_along_as_an_extension_and_the_request_is_unchanged(
    base_url: str,
) -> None:
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(204))
    client = ScimClient(base_url, "s3cr3t-token", transport=transport)
    cycle = RequestOrigin(OriginKind.CYCLE, "c1", "Initial")
    probe = RequestOrigin(OriginKind.TEST_CONNECTION, "6f1c0f0e")
    calls = [
        lambda origin: client.query("Users", "userName", "a@b", origin=origin),
        lambda origin: client.post("Users", {"userName": "a"}, origin=origin),
        lambda origin: client.patch("Users/1", {"Operations": []}, origin=origin),
        lambda origin: client.delete("Groups/2", origin=origin),
        lambda origin: client.get("Users/1", origin=origin),
        lambda origin: client.request("GET", "Users/a b", origin=origin),  # no fast path
    ]
    for call in calls:
        for origin in (cycle, probe, cycle):  # origins taking turns on one client
            call(None)
            plain = sent[-1]
            call(origin)
            tagged = sent[-1]
            assert tagged.extensions[ORIGIN_EXTENSION] is origin
            assert ORIGIN_EXTENSION not in plain.extensions
            rest = {k: v for k, v in tagged.extensions.items() if k != ORIGIN_EXTENSION}
            assert rest == plain.extensions
            # What goes on the wire is the same: method, URL, headers and body.
            assert (tagged.method, tagged.url, tagged.headers.raw, tagged.content) == (
                plain.method,
                plain.url,
                plain.headers.raw,
                plain.content,
            )


# --- JSON: orjson only where it gives the stdlib's bytes and values --------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=24,
)


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES)
def test_encode_json_is_the_stdlibs_compact_ascii_encoding(value: object) -> None:
    assert encode_json(value) == json.dumps(value, separators=(",", ":")).encode()


class _Kind(StrEnum):
    USER = "User"


@pytest.mark.parametrize(
    "value",
    [
        {"a": "\x7f", "b": '\x00\x1f"\\/'},
        {"é": "ü", "emoji": "\U0001f600"},
        {"float": 1e-05, "big": 1e16, "nan": math.nan, "inf": -math.inf},
        {"huge": 2**64, "negative": -(2**63) - 1, "edge": 2**63},
        {1: "int key", False: "bool key", None: "none key"},
        {"tuple": (1, 2), "kind": _Kind.USER},
        {"surrogate": "\ud800"},
        [
            [
                [
                    [
                        [
                            [
                                [
                                    [
                                        [
                                            [
                                                [
                                                    [
                                                        [
                                                            [
                                                                [
                                                                    [
                                                                        [
                                                                            [
                                                                                [
                                                                                    [
                                                                                        [
                                                                                            [
                                                                                                [
                                                                                                    [
                                                                                                        [
                                                                                                            [
                                                                                                                [
                                                                                                                    [
                                                                                                                        [
                                                                                                                            [
                                                                                                                                [
                                                                                                                                    [
                                                                                                                                        [
                                                                                                                                            [
                                                                                                                                                [
                                                                                                                                                    [
                                                                                                                                                        [
                                                                                                                                                            [
                                                                                                                                                                [
                                                                                                                                                                    [
                                                                                                                                                                        [
                                                                                                                                                                            [
                                                                                                                                                                                [
                                                                                                                                                                                    [
                                                                                                                                                                                        [
                                                                                                                                                                                            [
                                                                                                                                                                                                [
                                                                                                                                                                                                    [
                                                                                                                                                                                                        [
                                                                                                                                                                                                            [
                                                                                                                                                                                                                [
                                                                                                                                                                                                                    [
                                                                                                                                                                                                                        [
                                                                                                                                                                                                                            [
                                                                                                                                                                                                                                [
                                                                                                                                                                                                                                    [
                                                                                                                                                                                                                                        [
                                                                                                                                                                                                                                            [
                                                                                                                                                                                                                                                [
                                                                                                                                                                                                                                                    [
                                                                                                                                                                                                                                                        [
                                                                                                                                                                                                                                                            [
                                                                                                                                                                                                                                                                [
                                                                                                                                                                                                                                                                    [
                                                                                                                                                                                                                                                                        [
                                                                                                                                                                                                                                                                            [
                                                                                                                                                                                                                                                                                [
                                                                                                                                                                                                                                                                                    [
                                                                                                                                                                                                                                                                                        [
                                                                                                                                                                                                                                                                                            "deep"
                                                                                                                                                                                                                                                                                        ]
                                                                                                                                                                                                                                                                                    ]
                                                                                                                                                                                                                                                                                ]
                                                                                                                                                                                                                                                                            ]
                                                                                                                                                                                                                                                                        ]
                                                                                                                                                                                                                                                                    ]
                                                                                                                                                                                                                                                                ]
                                                                                                                                                                                                                                                            ]
                                                                                                                                                                                                                                                        ]
                                                                                                                                                                                                                                                    ]
                                                                                                                                                                                                                                                ]
                                                                                                                                                                                                                                            ]
                                                                                                                                                                                                                                        ]
                                                                                                                                                                                                                                    ]
                                                                                                                                                                                                                                ]
                                                                                                                                                                                                                            ]
                                                                                                                                                                                                                        ]
                                                                                                                                                                                                                    ]
                                                                                                                                                                                                                ]
                                                                                                                                                                                                            ]
                                                                                                                                                                                                        ]
                                                                                                                                                                                                    ]
                                                                                                                                                                                                ]
                                                                                                                                                                                            ]
                                                                                                                                                                                        ]
                                                                                                                                                                                    ]
                                                                                                                                                                                ]
                                                                                                                                                                            ]
                                                                                                                                                                        ]
                                                                                                                                                                    ]
                                                                                                                                                                ]
                                                                                                                                                            ]
                                                                                                                                                        ]
                                                                                                                                                    ]
                                                                                                                                                ]
                                                                                                                                            ]
                                                                                                                                        ]
                                                                                                                                    ]
                                                                                                                                ]
                                                                                                                            ]
                                                                                                                        ]
                                                                                                                    ]
                                                                                                                ]
                                                                                                            ]
                                                                                                        ]
                                                                                                    ]
                                                                                                ]
                                                                                            ]
                                                                                        ]
                                                                                    ]
                                                                                ]
                                                                            ]
                                                                        ]
                                                                    ]
                                                                ]
                                                            ]
                                                        ]
                                                    ]
                                                ]
                                            ]
                                        ]
                                    ]
                                ]
                            ]
                        ]
                    ]
                ]
            ]
        ],
    ],
)
def test_encode_json_falls_back_to_the_stdlib_where_orjson_differs(value: object) -> None:
    assert encode_json(value) == json.dumps(value, separators=(",", ":")).encode()


def test_encode_json_raises_what_the_stdlib_raises() -> None:
    loop: dict[str, object] = {}
    loop["self"] = loop
    for bad in (loop, {"x": object()}):
        with pytest.raises((ValueError, TypeError)) as stdlib:
            json.dumps(bad, separators=(",", ":"))
        with pytest.raises(type(stdlib.value)):
            encode_json(bad)


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES, st.booleans())
def test_decode_json_reads_what_the_stdlib_reads(value: object, ascii_only: bool) -> None:
    document = json.dumps(value, ensure_ascii=ascii_only).encode()
    assert repr(decode_json(document)) == repr(json.loads(document))


@pytest.mark.parametrize(
    "document",
    [
        b'{"id":"186ee45c518644ffb51e10c1483002eb","n":1,"f":1.5,"t":true,"z":null}',
        b'\xef\xbb\xbf{"a":1}',
        '{"a":1}'.encode("utf-16"),
        b'{"a":NaN,"b":-Infinity}',
        b'{"a":1e400}',
        b'{"a":"\\ud800"}',
        b'{"a":1,"a":2,"b":3}',
        b'{"a":123456789012345678901234567890}',
        b"[-9223372036854775809, 18446744073709551616]",
        b'{"id":"0000000000000000000000000000abcd"}',
        b'{"a":"x\x01"}',
        b'{"a":"\xff"}',
        b"[1,2",
        b"",
        b"[" * 300 + b"]" * 300,
        b"[" * 5000 + b"]" * 5000,
    ],
)
def test_decode_json_gives_the_stdlibs_value_or_error(document: bytes) -> None:
    def read(parse) -> tuple[str, str]:
        try:
            return ("ok", repr(parse(document)))
        except (ValueError, RecursionError) as error:
            return ("error", type(error).__name__)

    assert read(decode_json) == read(json.loads)


class _StreamingTransport(httpx.BaseTransport):
    """Answers like httpx's HTTPTransport does: an unread stream and no request set."""

    def __init__(self, chunks: list[bytes], *, fail_after: int | None = None) -> None:
        self.chunks = chunks
        self.fail_after = fail_after
        self.closed_streams = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        owner = self

        class Stream(httpx.SyncByteStream):
            def __iter__(self):  # type: ignore[no-untyped-def]
                for index, chunk in enumerate(owner.chunks):
                    if owner.fail_after is not None and index == owner.fail_after:
                        raise httpx.ReadError("connection reset", request=request)
                    yield chunk

            def close(self) -> None:
                owner.closed_streams += 1

        return httpx.Response(200, headers={"Content-Type": SCIM_MEDIA_TYPE}, stream=Stream())


def test_a_response_from_the_transport_is_read_and_knows_its_request() -> None:
    transport = _StreamingTransport([b'{"totalResults":', b"0}"])
    client = ScimClient("https://example.test/scim", "t0k3n", transport=transport)
    response = client.get("Users")
    assert response.request.url == "https://example.test/scim/Users"
    assert response.is_closed and transport.closed_streams == 1
    assert response.json() == {"totalResults": 0}


def test_a_body_that_breaks_off_closes_the_response_and_raises() -> None:
    transport = _StreamingTransport([b"{", b"}"], fail_after=1)
    client = ScimClient("https://example.test/scim", "t0k3n", transport=transport)
    with pytest.raises(httpx.ReadError):
        client.get("Users")
    assert transport.closed_streams == 1


def test_a_closed_client_sends_nothing() -> None:
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(204))
    client = ScimClient("https://example.test/scim", "t0k3n", transport=transport)
    client.close()
    with pytest.raises(RuntimeError, match="closed"):
        client.get("Users")
    assert sent == []


def test_requests_leave_no_garbage_for_the_cycle_collector() -> None:
    # httpx's Client.send ties each response to its stream in a reference cycle; with a
    # transport of the caller's the client sends without it, so a 10,000-user cycle's
    # 27,000 exchanges are freed as they go instead of by the cyclic collector.
    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, json={"Resources": [], "totalResults": 0})
    )
    client = ScimClient("https://example.test/scim", "t0k3n", transport=transport)
    gc.collect()
    gc.disable()
    try:
        for index in range(50):
            client.query("Users", "userName", f"user{index}@example.test").json()
            client.post("Users", {"userName": f"user{index}@example.test"})
        assert gc.collect() == 0
    finally:
        gc.enable()


# --- each body parsed once --------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES)
def test_a_kept_request_body_is_what_parsing_the_sent_bytes_gives(value: object) -> None:
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(204))
    ScimClient("https://api.linkedin.com/scim/v2", "t", transport=transport).post("Users", value)
    request = sent[-1]
    if value is None:  # json=None: no body, nothing kept
        assert request.content == b""
        assert PARSED_BODY_EXTENSION not in request.extensions
        return
    parsed = json.loads(request.content)
    assert parsed_body(request) == parsed or (parsed != parsed)  # NaN is never equal
    kept = request.extensions.get(PARSED_BODY_EXTENSION)
    if kept is not None:
        # Kept only where the parse is the body itself, types included (no float, no tuple).
        assert kept[0] is value
        assert repr(kept[0]) == repr(parsed)


def test_a_float_body_is_parsed_from_its_bytes_and_a_kept_response_parse_is_read() -> None:
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(204))
    client = ScimClient("https://api.linkedin.com/scim/v2", "t", transport=transport)
    client.post("Users", {"n": 1e-05})
    assert PARSED_BODY_EXTENSION not in sent[-1].extensions
    client.post("Users", {"userName": "a"})
    assert sent[-1].extensions[PARSED_BODY_EXTENSION] == ({"userName": "a"},)
    response = httpx.Response(200, content=b'{"id": "1"}')
    assert parsed_body(response) == {"id": "1"}
    response.extensions[PARSED_BODY_EXTENSION] = ({"id": "kept"},)
    assert parsed_body(response) == {"id": "kept"}
