"""Root causes first: failures that share a cause, each cause printed once.

A failed (or deviating) check's *cause exchange* is the first exchange of its evidence
the endpoint refused (4xx, 5xx, or no answer). Checks whose cause exchanges have the same
request shape (method and path template, e.g. ``PATCH /Groups/{id}``) and the same
answer (status and ``scimType``) share one cause: it is listed once, with its evidence
(one exchange, also as a ``curl`` command with the token masked), the checks it explains
(the checks not established because of them included) and the fix. Two 400s are one
cause only if their ``detail`` also agrees, once what varies per request is left out
(:func:`refusal_reason`). A check with no refused exchange (the endpoint said yes and
stored something else) is its own cause.

Also here: the request shapes of the Entra engine a run exercised (:func:`request_shapes`),
so that a report lists what it tried. Everything works on the report's JSON, so that
``provisim replay`` can reuse it.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterable, Sequence
from typing import Any, Final, TypedDict
from urllib.parse import parse_qsl, urlsplit

#: What stands for the token in a curl command: the variable the CLI reads it from.
TOKEN_VARIABLE: Final = "$PROVISIM_SCIM_TOKEN"

#: Path segments after these are ids in a shape: /Users/{id}.
_RESOURCE_ENDPOINTS: Final = ("Users", "Groups", "Schemas", "ResourceTypes")


class CauseJson(TypedDict):
    id: str
    request: str
    answer: str
    evidence: Any  # an ExchangeJson (report.py), or None for a check without a refusal
    curl: str | None
    explains: list[str]
    notEstablished: list[str]
    fix: str | None


class ShapeJson(TypedDict):
    shape: str
    count: int


def path_template(url: str) -> str:
    """``/scim/v2/Groups/1f3a?x=1`` -> ``/Groups/{id}``: the resource endpoint and
    whether an id follows; the base path and the query are left out."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    for position, segment in enumerate(segments):
        if segment in _RESOURCE_ENDPOINTS or segment == "ServiceProviderConfig":
            tail = "/{id}" if position + 1 < len(segments) else ""
            return f"/{segment}{tail}"
    return "/" + "/".join(segments[-1:])


def _operations(body: Any) -> list[str]:
    operations = body.get("Operations") if isinstance(body, dict) else None
    if not isinstance(operations, list):
        return []
    shown = []
    for operation in operations:
        if not isinstance(operation, dict):
            continue
        op = str(operation.get("op", "?"))
        path = operation.get("path")
        if path is None:
            value = operation.get("value")
            keys = sorted(value) if isinstance(value, dict) else []
            target = "{" + ",".join(keys) + "}" if keys else "(no path)"
        else:
            target = re.sub(r'"[^"]*"', '"…"', str(path))
        shown.append(f"{op} {target}")
    return shown


def request_shape(method: str, url: str, body: Any = None, *, detailed: bool = False) -> str:
    """``PATCH /Groups/{id}``; ``detailed`` adds what identifies Entra's shape: the filter
    attribute of a query (``GET /Users?filter=userName eq``), the operations of a PATCH
    (``[Replace displayName]``) and the schemas of a POST."""
    shape = f"{method.upper()} {path_template(url)}"
    if not detailed:
        return shape
    query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    parts = []
    if "filter" in query:
        match = re.match(r"\s*(\S+)\s+(\S+)", query["filter"])
        parts.append(f"filter={match.group(1)} {match.group(2)}" if match else "filter")
    parts += [
        f"{name}={query[name]}" for name in ("excludedAttributes", "attributes") if name in query
    ]
    if parts:
        shape += "?" + "&".join(parts)
    operations = _operations(body)
    if operations:
        shape += " [" + "; ".join(operations) + "]"
    elif (
        method.upper() == "POST"
        and isinstance(body, dict)
        and isinstance(body.get("schemas"), list)
    ):
        shape += " [schemas: " + ", ".join(str(s) for s in body["schemas"]) + "]"
    return shape


def answer_shape(exchange: Any) -> str:
    """``501``, ``400 invalidSyntax`` or ``no response (ReadTimeout)``: what identifies an
    answer across requests (the detail text often names the resource, so it is left out)."""
    response = exchange["response"]
    if response is None:
        return f"no response ({exchange['error']})"
    body = response["body"]
    scim_type = body.get("scimType") if isinstance(body, dict) else None
    return f"{response['status']} {scim_type}" if scim_type else str(response["status"])


#: What a 400's detail names that differs from one request to the next: quoted values,
#: e-mail addresses, UUIDs and numbers (an operation's index, an id).
_DETAIL_VARIABLES: Final = re.compile(
    r"'[^']*'|\"[^\"]*\"|\S+@\S+|[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}|\d+"
)


def refusal_reason(exchange: Any) -> str:
    """What tells two 400s of the same request shape apart: the error's ``detail`` with
    what varies per request left out. A 400 says the body was refused, and only its detail
    says for what: a PATCH refused for a string boolean and one refused for a bare manager
    id are both ``PATCH /Users/{id}`` -> ``400 invalidValue``, with different fixes. Other
    answers (401, 409, 5xx) say enough by their status; their detail often names the
    resource, so it is left out."""
    response = exchange["response"]
    if response is None or int(response["status"]) != 400:
        return ""
    body = response["body"]
    detail = body.get("detail") if isinstance(body, dict) else None
    if not isinstance(detail, str):
        return ""
    return " ".join(_DETAIL_VARIABLES.sub("…", detail).lower().split())


def refused(exchange: Any) -> bool:
    response = exchange["response"]
    return response is None or int(response["status"]) >= 400


def curl_command(exchange: Any) -> str:
    """The request of an evidence exchange as a ``curl`` command, ready to paste: the token
    is never in it (``$PROVISIM_SCIM_TOKEN`` stands for it)."""
    request = exchange["request"]
    words = ["curl", "-sS", "-X", request["method"], request["url"]]
    for name, value in request["headers"].items():
        lowered = name.lower()
        if lowered == "authorization":
            if "<redacted>" not in value:
                continue  # a probe sent without credentials on purpose
            scheme = value.split(" ", 1)[0] if " " in value else "Bearer"
            words += ["-H", f"Authorization: {scheme} {TOKEN_VARIABLE}"]
        elif lowered in ("content-type", "accept"):
            words += ["-H", f"{name}: {value}"]
    body = request["body"]
    if body is not None:
        text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        words += ["--data-raw", text]
    quoted = [shlex.quote(w) for w in words]
    # Let the shell expand the token variable: double quotes around that one header.
    return " ".join(
        f'"{w}"' if TOKEN_VARIABLE in w else q for w, q in zip(words, quoted, strict=True)
    )


def _key(result: Any) -> str:
    return f"{result['id']} [{result['dialect']}]" if result["dialect"] else str(result["id"])


def root_causes(results: Sequence[Any]) -> list[CauseJson]:
    """The causes of the failed and deviating checks of a report's results, in the order
    of their first check; checks not established because of one are listed with it."""
    causes: dict[tuple[str, str], CauseJson] = {}
    owner: dict[str, CauseJson] = {}
    for result in results:
        if result["outcome"] not in ("failed", "deviation"):
            continue
        cause_exchange = next((e for e in result["evidence"] if refused(e)), None)
        if cause_exchange is None:
            key = ("", _key(result))
            request, answer = _key(result), "accepted, but the outcome is wrong"
        else:
            request = request_shape(
                cause_exchange["request"]["method"], cause_exchange["request"]["url"]
            )
            answer = answer_shape(cause_exchange)
            key = (f"{request} {refusal_reason(cause_exchange)}", answer)
        cause = causes.get(key)
        if cause is None:
            cause = {
                "id": f"C{len(causes) + 1}",
                "request": request,
                "answer": answer,
                "evidence": cause_exchange,
                "curl": curl_command(cause_exchange) if cause_exchange is not None else None,
                "explains": [],
                "notEstablished": [],
                "fix": result["hint"],
            }
            causes[key] = cause
        cause["explains"].append(_key(result))
        owner[_key(result)] = cause
    # A check not established because of another one that was not established either is
    # explained by the failure at the start of that chain.
    blocked_by = {
        _key(r): r["blockedBy"]["check"]
        for r in results
        if r["outcome"] == "not established" and r["blockedBy"] and r["blockedBy"]["check"]
    }
    for blocked in blocked_by:
        seen = {blocked}
        ancestor = blocked_by[blocked]
        while ancestor in blocked_by and ancestor not in seen:
            seen.add(ancestor)
            ancestor = blocked_by[ancestor]
        cause = owner.get(ancestor)
        if cause is not None:
            cause["notEstablished"].append(blocked)
    return list(causes.values())


def request_shapes(requests: Iterable[tuple[str, str, Any]]) -> list[ShapeJson]:
    """The distinct request shapes among ``(method, url, body)``, with how often each was
    sent, in the order first sent."""
    counts: dict[str, int] = {}
    for method, url, body in requests:
        shape = request_shape(method, url, body, detailed=True)
        counts[shape] = counts.get(shape, 0) + 1
    return [{"shape": shape, "count": count} for shape, count in counts.items()]


__all__ = [
    "TOKEN_VARIABLE",
    "CauseJson",
    "ShapeJson",
    "answer_shape",
    "curl_command",
    "path_template",
    "refusal_reason",
    "request_shape",
    "request_shapes",
    "root_causes",
]
