"""The one place Fake Entra uses a private part of httpx: the parsed form of ``httpx.URL``.

Why: every public way to make an ``httpx.URL`` (``httpx.URL(str)``, ``URL.copy_with``,
``URL.join``, ``httpx.Request(method, str)``) parses and validates the whole URL, about
15 µs; the SCIM client's own work per request in-process is a few µs more, and a
10,000-user initial cycle sends ~27,000 requests. All requests of one client share the
scheme, user info, host and port of its base URL, so :class:`UrlBase` keeps httpx's parse
of that base and makes each request's URL from it with another path and query, about 1 µs.
The result is the URL httpx itself would build from the same text (tested, with the
requests built from it, in tests/test_entra_scim_client.py).

The contract, as verified on httpx 0.28.1 and 0.29.0: an ``httpx.URL`` keeps its parse in
the attribute ``_uri_reference``, a NamedTuple of str parts ``(scheme, userinfo, host,
port, path, query, fragment)`` already normalised and percent-encoded, which every public
property of the URL reads, and ``httpx.URL(url)`` of a URL shares that tuple.
:func:`contract_violation` checks it against the installed httpx;
tests/test_entra_httpx_internals.py fails (never skips) when it does not hold. At run time
a broken contract makes :meth:`UrlBase.of` answer None, so requests take httpx's ordinary
way (the same bytes, slower), and a RuntimeWarning says so once.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    # Only for the type checker, which then checks this module against httpx's own
    # definition; at run time the contract is checked by contract_violation().
    from httpx._urlparse import ParseResult

#: The fields of httpx's parsed URL, in order.
PARSE_FIELDS = ("scheme", "userinfo", "host", "port", "path", "query", "fragment")


def _reference(url: httpx.URL) -> Any:
    return getattr(url, "_uri_reference", None)


def contract_violation() -> str | None:
    """What about the installed httpx breaks the contract above; None when it holds."""
    probe = httpx.URL("https://user@example.com:8443/a%20b?q=1#f")
    reference = _reference(probe)
    if reference is None:
        return "httpx.URL has no _uri_reference"
    if not isinstance(reference, tuple) or getattr(reference, "_fields", None) != PARSE_FIELDS:
        return f"httpx.URL._uri_reference is {type(reference).__name__}, not {PARSE_FIELDS}"
    expected = ("https", "user", "example.com", 8443, "/a%20b", "q=1", "f")
    if tuple(reference) != expected:
        return f"httpx.URL._uri_reference holds {tuple(reference)!r}, expected {expected!r}"
    if _reference(httpx.URL(probe)) is not reference:
        return "httpx.URL(url) does not share the parse of url"
    shell = httpx.URL(probe)
    try:
        shell._uri_reference = reference._replace(path="/c", query=None, fragment=None)
    except (AttributeError, TypeError) as error:
        return f"httpx.URL._uri_reference cannot be set: {error}"
    if str(shell) != "https://user@example.com:8443/c" or shell.raw_path != b"/c":
        return "httpx.URL does not read its public properties from _uri_reference"
    return None


_VIOLATION = contract_violation()
_warned = False


class UrlBase:
    """httpx's parse of a base URL, from which request URLs are made without parsing."""

    __slots__ = ("_reference", "path")

    def __init__(self, reference: ParseResult) -> None:
        self._reference = reference
        #: The base URL's path, percent-encoded as httpx normalised it.
        self.path: str = reference.path

    @classmethod
    def of(cls, base: httpx.URL) -> UrlBase | None:
        """The parse of ``base``; None when ``base`` has a query or a fragment, or when the
        installed httpx breaks the contract (requests then go httpx's ordinary way)."""
        global _warned
        if _VIOLATION is not None:
            if not _warned:
                _warned = True
                warnings.warn(
                    f"httpx {httpx.__version__} changed httpx.URL's internals ({_VIOLATION}); "
                    "Fake Entra's SCIM client builds every URL the slower public way",
                    RuntimeWarning,
                    stacklevel=2,
                )
            return None
        reference = base._uri_reference
        if reference.query is not None or reference.fragment is not None:
            return None
        return cls(reference)

    def url(self, path: str, query: str | None) -> httpx.URL:
        """This base with ``path`` and ``query``, which must be what httpx would make of
        them already: absolute, percent-encoded, normalised (not checked here)."""
        url = httpx.URL(_BLANK_URL)
        url._uri_reference = self._reference._replace(path=path, query=query)
        return url


#: Copied, never parsed again: the shell :meth:`UrlBase.url` fills in.
_BLANK_URL = httpx.URL("")
