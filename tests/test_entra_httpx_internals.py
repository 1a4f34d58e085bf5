"""The contract fake_entra.httpx_internals relies on, checked against the installed httpx.

These tests fail, never skip, when an httpx release changes what the module reaches into:
then the SCIM client still sends the same requests, built httpx's slower public way, and
the module needs a look (or the httpx pin in pyproject.toml a tighter bound).
"""

from __future__ import annotations

import httpx
import pytest

from fake_entra.httpx_internals import UrlBase, contract_violation

PUBLIC = (
    "scheme",
    "raw_scheme",
    "userinfo",
    "username",
    "password",
    "host",
    "raw_host",
    "port",
    "netloc",
    "path",
    "query",
    "params",
    "raw_path",
    "fragment",
    "is_absolute_url",
    "is_relative_url",
)


def test_the_installed_httpx_keeps_the_contract() -> None:
    assert contract_violation() is None, f"httpx {httpx.__version__}: {contract_violation()}"


@pytest.mark.parametrize(
    "base",
    [
        "https://api.linkedin.com",
        "https://api.linkedin.com/scim/v2",
        "https://API.LinkedIn.com:443/scim",
        "http://127.0.0.1:8080/scim",
        "https://user:pass@host.example/scim",
        "https://[::1]:8443/scim",
        "https://bücher.example/scim",
        "https://host.example/%7Escim/v2",
    ],
)
@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/Users", None),
        ("/Users", "filter=userName%20eq%20%22a%40b.com%22"),
        ("/Groups/4ccc2e61fa444972ae1fbd6d99daef7a", "excludedAttributes=members&x=%C3%BC"),
        ("/", ""),
    ],
)
def test_a_url_made_from_the_base_is_the_url_httpx_parses(
    base: str, path: str, query: str | None
) -> None:
    parsed_base = httpx.URL(base)
    made_from = UrlBase.of(parsed_base)
    assert made_from is not None  # the fast way is in use with this httpx
    full_path = made_from.path.rstrip("/") + path
    made = made_from.url(full_path, query)
    text = str(parsed_base.copy_with(raw_path=full_path.encode())) + (
        "" if query is None else f"?{query}"
    )
    parsed = httpx.URL(text)
    assert made == parsed and str(made) == str(parsed) and hash(made) == hash(parsed)
    for name in PUBLIC:
        assert getattr(made, name) == getattr(parsed, name), name
    request, reference = httpx.Request("GET", made), httpx.Request("GET", text)
    assert request.url == reference.url and request.headers.raw == reference.headers.raw


def test_a_base_with_a_query_or_fragment_is_left_to_httpx() -> None:
    assert UrlBase.of(httpx.URL("https://host.example/scim?x=1")) is None
    assert UrlBase.of(httpx.URL("https://host.example/scim?")) is None
    assert UrlBase.of(httpx.URL("https://host.example/scim#f")) is None


def test_the_base_is_not_changed_by_the_urls_made_from_it() -> None:
    base = httpx.URL("https://host.example/scim")
    made_from = UrlBase.of(base)
    assert made_from is not None
    made_from.url("/scim/Users", "a=1")
    assert str(base) == "https://host.example/scim" and made_from.path == "/scim"
