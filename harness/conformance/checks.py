"""The RFC 7643/7644 checks Entra relies on and vendors break, and the evidence they keep.

Every request of a conformance run, the Entra engine's and the checks' own, goes through
one :class:`RecordingTransport`, so each :class:`Exchange` is kept in an
:class:`ExchangeLog`: a failed check shows the requests and responses it is about, and the
sweeps at the end (SCIM Error bodies, media type, JSON Schema validation, throttling,
5xx, timeouts, a token that stops working) judge the whole run at once.

A :class:`Check` has a stable id (``RFC7644-3.4.2-EMPTY-SEARCH``), a title, the RFC
section or Entra document it comes from, a requirement level (MUST/SHOULD/MAY) and the
scopes it counts in: ``entra`` ("works with Entra") and/or ``rfc`` ("RFC conformant").
Some checks are Entra's alone, and one even goes against the letter of the RFC: RFC 7644
§3.5.2.3 answers a replace on an unmatched value filter with 400 noTarget, while Entra
needs the element created (entra-provisioning-service.md §1 "User update").

Checks build on shared test resources (users and a group named with the
``provisim-conformance-<run>`` prefix), created on first use; a check whose resources
could not be created is *skipped* with the reason and the failed exchange. Every resource
created is registered for the clean-up at the end of the run.

Sources cited: S-keys as in entra-provisioning-service.md (S1 use-scim-to-provision-
users-and-groups, S4 quarantine, S13 provisioning-log error codes).
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Final, Literal
from urllib.parse import quote, urlsplit

import httpx

from fake_entra.dialects import CORE_GROUP_SCHEMA, CORE_USER_SCHEMA, PATCH_OP_SCHEMA
from fake_entra.scim_client import LIST_RESPONSE_SCHEMA, SCIM_MEDIA_TYPE, TenantUrl, eq_filter
from fake_entra.target_values import read_value
from harness.conformance.rate import ENTRA_REQUESTS_PER_SECOND
from harness.validation import validate_exchange

Level = Literal["MUST", "SHOULD", "MAY"]
Scope = Literal["entra", "rfc"]
Outcome = Literal["passed", "failed", "skipped"]

LEVELS: Final[tuple[Level, ...]] = ("MUST", "SHOULD", "MAY")
SCOPES: Final[tuple[Scope, ...]] = ("entra", "rfc")

#: Every test resource's name starts with this, so a vendor can find and remove leftovers.
RESOURCE_PREFIX: Final = "provisim-conformance-"

ERROR_SCHEMA: Final = "urn:ietf:params:scim:api:messages:2.0:Error"
SERVICE_PROVIDER_CONFIG_SCHEMA: Final = (
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
)

#: How many exchanges a failed check carries as evidence.
EVIDENCE_LIMIT: Final = 6
#: Bodies longer than this are cut in reports.
BODY_LIMIT: Final = 4000
_REDACTED: Final = "<redacted>"


# --- exchanges ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    """One request and its response (or the error that stood in for one)."""

    index: int
    origin: str  # "entra" (the provisioning engine) or "probe" (the checks' own client)
    method: str
    url: str
    request_headers: Mapping[str, str]
    request_body: bytes
    status: int | None
    response_headers: Mapping[str, str]
    response_body: bytes
    error: str | None
    timed_out: bool
    #: Seconds since the run started, and how long the exchange took.
    started: float
    elapsed: float
    #: Sent without valid credentials on purpose: a 401 here is the right answer.
    expect_refusal: bool = False

    @property
    def path(self) -> str:
        """The path and query, as ``harness.validation`` routes them."""
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def header(self, name: str) -> str | None:
        return self.response_headers.get(name.lower())

    @property
    def media_type(self) -> str | None:
        content_type = self.header("content-type")
        return content_type.split(";", 1)[0].strip().lower() if content_type else None

    def json(self) -> Any:
        """The response body as JSON, or None when there is none or it is not JSON."""
        return _decode(self.response_body)

    def request_json(self) -> Any:
        return _decode(self.request_body)

    def describe(self) -> str:
        outcome = str(self.status) if self.status is not None else f"no response ({self.error})"
        return f"{self.method} {self.path} -> {outcome}"


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


class ExchangeLog:
    """Every exchange of a run, in order; thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.started = clock()
        self._exchanges: list[Exchange] = []
        self._lock = threading.Lock()
        self._local = threading.local()

    def __len__(self) -> int:
        return len(self._exchanges)

    def __iter__(self) -> Iterator[Exchange]:
        return iter(self.all())

    def all(self) -> list[Exchange]:
        with self._lock:
            return list(self._exchanges)

    def mark(self) -> int:
        """A position to read from with :meth:`since`."""
        return len(self._exchanges)

    def since(self, mark: int) -> list[Exchange]:
        with self._lock:
            return self._exchanges[mark:]

    @contextmanager
    def annotate(self, *, origin: str, expect_refusal: bool = False) -> Iterator[None]:
        """Label the exchanges this thread sends inside the block."""
        previous = getattr(self._local, "labels", None)
        self._local.labels = (origin, expect_refusal)
        try:
            yield
        finally:
            self._local.labels = previous

    def labels(self) -> tuple[str, bool]:
        # Requests nobody labelled come from the Entra engine's own client.
        return getattr(self._local, "labels", None) or ("entra", False)

    def add(self, **fields: Any) -> Exchange:
        with self._lock:
            exchange = Exchange(index=len(self._exchanges), **fields)
            self._exchanges.append(exchange)
            return exchange


class RecordingTransport(httpx.BaseTransport):
    """Keep every exchange that passes through ``inner`` in ``log``."""

    def __init__(self, inner: httpx.BaseTransport, log: ExchangeLog) -> None:
        self.inner = inner
        self.log = log

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        origin, expect_refusal = self.log.labels()
        body = request.read()
        started = self.log.clock()
        common = {
            "origin": origin,
            "method": request.method,
            "url": str(request.url),
            "request_headers": _redact(request.headers),
            "request_body": body,
            "started": started - self.log.started,
            "expect_refusal": expect_refusal,
        }
        try:
            response = self.inner.handle_request(request)
            content = response.read()
        except httpx.TransportError as error:
            self.log.add(
                **common,
                status=None,
                response_headers={},
                response_body=b"",
                error=f"{type(error).__name__}: {error}" if str(error) else type(error).__name__,
                timed_out=isinstance(error, httpx.TimeoutException),
                elapsed=self.log.clock() - started,
            )
            raise
        self.log.add(
            **common,
            status=response.status_code,
            response_headers=_redact(response.headers),
            response_body=content,
            error=None,
            timed_out=False,
            elapsed=self.log.clock() - started,
        )
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            content=content,
            request=request,
            extensions=response.extensions,
        )

    def close(self) -> None:
        # Every httpx.Client that borrows this transport closes it when done (the engine's
        # ScimClient after each Test Connection); the run owns the inner transport and
        # closes it once, at the end.
        pass


def _redact(headers: httpx.Headers) -> dict[str, str]:
    """Headers for the record; credentials never reach a report, not the real token and
    not the deliberately wrong one. The authorization scheme stays readable."""
    kept: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        if key == "authorization":
            scheme = value.split(" ", 1)[0] if " " in value else ""
            kept[key] = f"{scheme} {_REDACTED}".strip()
        elif key in ("cookie", "set-cookie", "proxy-authorization"):
            kept[key] = _REDACTED
        else:
            kept[key] = value
    return kept


# --- the probe: the checks' own SCIM client -------------------------------------------------

_DEFAULT_AUTH: Final = object()


class ScimProbe:
    """A SCIM client for checks and read-backs, with manners.

    Transient failures (429 with Retry-After, 5xx, timeouts) are retried a few times after
    a wait, as a well-behaved client does, so one throttled request does not fail a check
    about filters; the sweeps still see every attempt in the log.
    """

    def __init__(
        self,
        tenant_url: str,
        token: str,
        *,
        transport: httpx.BaseTransport,
        log: ExchangeLog,
        timeout: float,
        sleep: Callable[[float], None],
        retries: int = 3,
        max_wait: float = 10.0,
    ) -> None:
        self.tenant_url = TenantUrl(tenant_url)
        self.token = token
        self.log = log
        self._sleep = sleep
        self.retries = retries
        self.max_wait = max_wait
        # The transport belongs to the run, not to this client: never closed here.
        self._http = httpx.Client(transport=transport, timeout=timeout)

    @property
    def base_url(self) -> str:
        return self.tenant_url.base_url

    def url_for(self, path: str, params: Mapping[str, str] | None = None) -> str:
        query = [*self.tenant_url.parameters, *(params or {}).items()]
        url = self.tenant_url.url_for(path)
        if query:
            # RFC 7644 §3.4.2.2: filters travel URL-encoded; spaces as %20, as Entra sends them.
            url += "?" + "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in query)
        return url

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        auth: Any = _DEFAULT_AUTH,
        expect_refusal: bool = False,
        retry: bool = True,
    ) -> Exchange:
        """Send one request (retrying transient failures); returns the last exchange."""
        headers = {"Accept": SCIM_MEDIA_TYPE}
        token = self.token if auth is _DEFAULT_AUTH else auth
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        content = None
        if body is not None:
            content = json.dumps(body, separators=(",", ":")).encode()
            headers["Content-Type"] = SCIM_MEDIA_TYPE
        url = self.url_for(path, params)
        attempts = 1 + (self.retries if retry else 0)
        for attempt in range(attempts):
            mark = self.log.mark()
            # A transport error (timeout, refused connection) is recorded all the same.
            with (
                self.log.annotate(origin="probe", expect_refusal=expect_refusal),
                suppress(httpx.TransportError),
            ):
                self._http.request(method, url, content=content, headers=headers)
            exchange = self.log.since(mark)[-1]
            wait = self._transient_wait(exchange, attempt)
            if wait is None or attempt == attempts - 1:
                return exchange
            self._sleep(wait)
        raise AssertionError("unreachable: the loop returns on its last attempt")

    def _transient_wait(self, exchange: Exchange, attempt: int) -> float | None:
        if exchange.timed_out or (exchange.status is not None and exchange.status >= 500):
            return min(0.25 * 2**attempt, self.max_wait)
        if exchange.status == 429:
            # RFC 6585 §4 / RFC 9110 §10.2.3: wait as long as the server asks, within reason.
            delay = retry_after_seconds(exchange.header("retry-after"), exchange.header("date"))
            return min(delay, self.max_wait)
        return None

    def get(self, path: str, params: Mapping[str, str] | None = None, **options: Any) -> Exchange:
        return self.send("GET", path, params=params, **options)

    def post(self, path: str, body: Any) -> Exchange:
        return self.send("POST", path, body=body)

    def patch(self, path: str, body: Any) -> Exchange:
        return self.send("PATCH", path, body=body)

    def delete(self, path: str) -> Exchange:
        return self.send("DELETE", path)

    def close(self) -> None:
        self._http.close()


def retry_after_seconds(value: str | None, date: str | None = None, default: float = 1.0) -> float:
    """A Retry-After header in seconds: delay-seconds, or an HTTP-date read against the
    response's own Date header (RFC 9110 §10.2.3); ``default`` when neither can be read."""
    if not value:
        return default
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        until = parsedate_to_datetime(text)
        sent = parsedate_to_datetime(date) if date else None
    except (TypeError, ValueError):
        return default
    if sent is None:
        return default
    return max((until - sent).total_seconds(), 0.0)


# --- checks and results ---------------------------------------------------------------------


@dataclass(frozen=True)
class CheckInfo:
    """What a check is: identity, origin and weight."""

    id: str
    title: str
    source: str
    level: Level
    scopes: frozenset[Scope]
    hint: str

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"{self.id}: unknown level {self.level!r}")
        if not self.scopes or not self.scopes <= set(SCOPES):
            raise ValueError(f"{self.id}: scopes must be a non-empty subset of {SCOPES}")


@dataclass(frozen=True)
class Finding:
    """What a check found. ``hint`` and ``evidence`` override the defaults when given."""

    passed: bool
    message: str
    hint: str | None = None
    evidence: tuple[Exchange, ...] | None = None


def ok(message: str) -> Finding:
    return Finding(True, message)


def bad(
    message: str, hint: str | None = None, evidence: Sequence[Exchange] | None = None
) -> Finding:
    return Finding(False, message, hint, None if evidence is None else tuple(evidence))


class Unmet(Exception):
    """A check's prerequisite failed: the check is skipped, with this reason."""

    def __init__(self, reason: str, evidence: Sequence[Exchange] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.evidence = tuple(evidence)


@dataclass(frozen=True)
class CheckResult:
    info: CheckInfo
    outcome: Outcome
    message: str
    hint: str | None
    evidence: tuple[Exchange, ...]
    duration: float
    #: The Entra PATCH dialect for a flow step; None for the RFC checks.
    dialect: str | None = None
    #: How many requests the check sent (its evidence keeps only the telling ones).
    requests: int = 0

    @property
    def failed(self) -> bool:
        return self.outcome == "failed"

    @property
    def blocking(self) -> bool:
        """A MUST failure fails the run; SHOULD and MAY deviations are only reported."""
        return self.failed and self.info.level == "MUST"


def evaluate(
    info: CheckInfo,
    log: ExchangeLog,
    body: Callable[[], Finding],
    *,
    dialect: str | None = None,
) -> CheckResult:
    """Run ``body`` as the check ``info`` and turn what it found into a CheckResult."""
    mark = log.mark()
    started = log.clock()

    def skipped(reason: str, evidence: Sequence[Exchange] = ()) -> CheckResult:
        sent = log.since(mark)
        return CheckResult(
            info,
            "skipped",
            reason,
            None,
            _telling(evidence or sent),
            log.clock() - started,
            dialect,
            len(sent),
        )

    try:
        finding = body()
    except Unmet as unmet:
        return skipped(unmet.reason, unmet.evidence)
    except Exception as error:
        # The endpoint answered in a way no check foresaw: a surprise is reported, never a
        # crash of the whole run, and it blames no one.
        return skipped(f"provisim could not complete this check ({type(error).__name__}: {error})")
    sent = log.since(mark)
    if finding.passed:
        return CheckResult(
            info, "passed", finding.message, None, (), log.clock() - started, dialect, len(sent)
        )
    evidence = finding.evidence if finding.evidence is not None else tuple(sent)
    return CheckResult(
        info,
        "failed",
        finding.message,
        finding.hint or info.hint,
        _telling(evidence),
        log.clock() - started,
        dialect,
        len(sent),
    )


def _telling(exchanges: Sequence[Exchange]) -> tuple[Exchange, ...]:
    """At most EVIDENCE_LIMIT exchanges, the failed ones first kept, in their order."""
    if len(exchanges) <= EVIDENCE_LIMIT:
        return tuple(exchanges)
    failed = [e for e in exchanges if e.status is None or e.status >= 400]
    kept = {id(e) for e in failed[:EVIDENCE_LIMIT]}
    for exchange in reversed(exchanges):
        if len(kept) >= EVIDENCE_LIMIT:
            break
        kept.add(id(exchange))
    return tuple(e for e in exchanges if id(e) in kept)


@dataclass(frozen=True)
class Check:
    info: CheckInfo
    body: Callable[[CheckContext], Finding]
    #: Sweeps judge the whole run's exchanges, so they run last.
    sweep: bool = False

    @property
    def id(self) -> str:
        return self.info.id

    def run(self, ctx: CheckContext) -> CheckResult:
        return evaluate(self.info, ctx.log, lambda: self.body(ctx))


# --- shared test resources ------------------------------------------------------------------


@dataclass
class CreatedResources:
    """Every resource a run created in the target, for the clean-up."""

    items: list[tuple[str, str, str]] = field(default_factory=list)  # (endpoint, id, name)

    def add(self, endpoint: str, resource_id: str, name: str) -> None:
        if (endpoint, resource_id) not in {(e, i) for e, i, _ in self.items}:
            self.items.append((endpoint, resource_id, name))


@dataclass(frozen=True)
class Fixture:
    """A test resource created for the checks: its create exchange and what came back."""

    key: str
    endpoint: str
    body: dict[str, Any]
    exchange: Exchange

    @property
    def resource(self) -> dict[str, Any]:
        found = self.exchange.json()
        return found if isinstance(found, dict) else {}

    @property
    def id(self) -> str | None:
        value = self.resource.get("id")
        return str(value) if isinstance(value, str | int) and str(value) else None

    @property
    def usable(self) -> bool:
        status = self.exchange.status
        return status is not None and 200 <= status < 300 and self.id is not None

    def __getitem__(self, name: str) -> Any:
        return self.body[name]


class CheckContext:
    """What checks share: the probe, the log, the run's names and its test resources."""

    def __init__(
        self,
        probe: ScimProbe,
        log: ExchangeLog,
        *,
        run_id: str,
        rate: float,
        rng: random.Random,
        created: CreatedResources | None = None,
    ) -> None:
        self.probe = probe
        self.log = log
        self.run_id = run_id
        self.rate = rate
        self.rng = rng
        self.created = created if created is not None else CreatedResources()
        self._fixtures: dict[str, Fixture] = {}

    @property
    def prefix(self) -> str:
        return f"{RESOURCE_PREFIX}{self.run_id}-"

    def guid(self) -> str:
        """A random GUID from the run's seeded generator (Entra's Test Connection probe)."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # -- users ---------------------------------------------------------------------------

    def email(self, key: str, kind: str) -> str:
        return f"{self.prefix}rfc-{key}-{kind}@example.com"

    def user_body(self, key: str) -> dict[str, Any]:
        """The POST body of test user ``key``; some carry an email a check needs."""
        local = f"{self.prefix}rfc-{key}"
        body: dict[str, Any] = {
            "schemas": [CORE_USER_SCHEMA],
            "userName": f"{local}@example.com",
            "externalId": local,
            "name": {"givenName": key.title(), "familyName": "Conformance"},
            "displayName": f"{key.title()} Conformance",
            "active": True,
        }
        # grace: a work email to filter on; linus: a home email only, so that no "work"
        # element matches an add on emails[type eq "work"].value.
        kind = _USER_EMAILS.get(key)
        if kind is not None:
            body["emails"] = [{"type": kind, "value": self.email(key, kind), "primary": True}]
        return body

    def user(self, key: str) -> Fixture:
        """The test user ``key``, POSTed on first use (whatever the answer)."""
        slot = f"Users/{key}"
        if slot not in self._fixtures:
            self._fixtures[slot] = self._create("Users", key, self.user_body(key))
        return self._fixtures[slot]

    def require_user(self, key: str) -> Fixture:
        fixture = self.user(key)
        if not fixture.usable:
            raise Unmet(
                f"needs a test user, but {fixture.exchange.describe()} did not create one",
                [fixture.exchange],
            )
        return fixture

    # -- groups --------------------------------------------------------------------------

    def group(self, key: str) -> Fixture:
        """The test group ``key``, POSTed on first use (whatever the answer)."""
        slot = f"Groups/{key}"
        if slot not in self._fixtures:
            body = {
                "schemas": [CORE_GROUP_SCHEMA],
                "displayName": f"{self.prefix}rfc-group-{key}",
                "externalId": f"{self.prefix}rfc-group-{key}",
            }
            self._fixtures[slot] = self._create("Groups", key, body)
        return self._fixtures[slot]

    def require_group(self, key: str) -> Fixture:
        fixture = self.group(key)
        if not fixture.usable:
            raise Unmet(
                f"needs a test group, but {fixture.exchange.describe()} did not create one",
                [fixture.exchange],
            )
        return fixture

    def _create(self, endpoint: str, key: str, body: dict[str, Any]) -> Fixture:
        exchange = self.probe.post(endpoint, body)
        fixture = Fixture(key, endpoint, body, exchange)
        self.register(endpoint, exchange, body.get("userName") or body.get("displayName"))
        return fixture

    def register(self, endpoint: str, exchange: Exchange, name: Any) -> None:
        """Remember a resource a POST created, for the clean-up."""
        found = exchange.json()
        status = exchange.status
        if status is not None and 200 <= status < 300 and isinstance(found, dict):
            resource_id = found.get("id")
            if isinstance(resource_id, str) and resource_id:
                self.created.add(endpoint, resource_id, str(name))


_USER_EMAILS: Final[Mapping[str, str]] = {"grace": "work", "linus": "home"}


# --- helpers for check bodies ---------------------------------------------------------------


def list_resources(exchange: Exchange) -> list[dict[str, Any]] | None:
    """The Resources of a ListResponse, or None when the body is not one."""
    body = exchange.json()
    if not isinstance(body, dict) or LIST_RESPONSE_SCHEMA not in (body.get("schemas") or []):
        return None
    if not isinstance(body.get("totalResults"), int):
        return None
    resources = body.get("Resources", [])
    if not isinstance(resources, list):
        return None
    return [r for r in resources if isinstance(r, dict)]


def _expect_one(exchange: Exchange, wanted_id: str, what: str, hint: str) -> Finding:
    """A filtered query must answer 200 with exactly the one resource ``wanted_id``."""
    if exchange.status != 200:
        return bad(f"{what}: {exchange.describe()}, expected 200 with a ListResponse", hint)
    resources = list_resources(exchange)
    if resources is None:
        return bad(f"{what}: the 200 body is not a SCIM ListResponse", hint)
    total = exchange.json().get("totalResults")
    ids = [str(r.get("id")) for r in resources]
    if wanted_id not in ids:
        return bad(f"{what}: the test resource is not among the {total} result(s)", hint)
    if len(resources) > 1 or total != 1:
        return bad(
            f"{what}: {total} result(s) where only the test resource matches; the filter was "
            "not applied",
            "Apply the filter: answer only the resources that match it (RFC 7644 §3.4.2.2).",
        )
    return ok(f"{what}: found exactly the test resource")


def _status_in(exchange: Exchange, *statuses: int) -> bool:
    return exchange.status in statuses


def _swap_case(text: str) -> str:
    return text.swapcase() if text.swapcase() != text else text.upper()


def _emails(resource: Mapping[str, Any]) -> list[dict[str, Any]]:
    value = read_value(resource, "emails")
    return [e for e in value if isinstance(e, dict)] if isinstance(value, list) else []


def _typed(emails: Sequence[Mapping[str, Any]], kind: str) -> list[Mapping[str, Any]]:
    return [e for e in emails if str(e.get("type", "")).lower() == kind]


# --- discovery (RFC 7644 §4) ----------------------------------------------------------------


def _service_provider_config(ctx: CheckContext) -> Finding:
    exchange = ctx.probe.get("ServiceProviderConfig")
    if exchange.status != 200:
        return bad(f"{exchange.describe()}, expected 200")
    body = exchange.json()
    if not isinstance(body, dict) or SERVICE_PROVIDER_CONFIG_SCHEMA not in (
        body.get("schemas") or []
    ):
        return bad(f"the body does not name the schema {SERVICE_PROVIDER_CONFIG_SCHEMA}")
    missing = [k for k in ("patch", "filter", "bulk", "authenticationSchemes") if k not in body]
    if missing:
        return bad(f"required attribute(s) missing: {', '.join(missing)} (RFC 7643 §5)")
    return ok("ServiceProviderConfig is served")


def _schemas(ctx: CheckContext) -> Finding:
    exchange = ctx.probe.get("Schemas")
    if exchange.status != 200:
        return bad(f"{exchange.describe()}, expected 200 with a ListResponse")
    resources = list_resources(exchange)
    if resources is None:
        return bad("the body is not a SCIM ListResponse of Schema resources")
    ids = {str(r.get("id")) for r in resources}
    if CORE_USER_SCHEMA not in ids:
        return bad(f"the User schema ({CORE_USER_SCHEMA}) is not listed")
    return ok(f"{len(ids)} schema(s), the User schema among them")


def _resource_types(ctx: CheckContext) -> Finding:
    exchange = ctx.probe.get("ResourceTypes")
    if exchange.status != 200:
        return bad(f"{exchange.describe()}, expected 200 with a ListResponse")
    resources = list_resources(exchange)
    if resources is None:
        return bad("the body is not a SCIM ListResponse of ResourceType resources")
    endpoints = {str(r.get("endpoint", "")).strip("/").lower() for r in resources}
    if "users" not in endpoints:
        return bad("no ResourceType has the endpoint /Users")
    return ok(f"resource types: {', '.join(sorted(str(r.get('name')) for r in resources))}")


# --- authentication (RFC 7644 §2, §3.12) ----------------------------------------------------


def _refused(ctx: CheckContext, token: str | None, what: str) -> Finding:
    exchange = ctx.probe.get(
        "Users",
        {"filter": eq_filter("userName", ctx.guid())},
        auth=token,
        expect_refusal=True,
        retry=False,
    )
    if exchange.status == 401:
        return ok(f"{what}: refused with 401")
    if exchange.status is not None and 200 <= exchange.status < 300:
        return bad(
            f"{what}: answered {exchange.status}; anyone can read the directory",
            "Require a valid bearer token on every resource endpoint and answer 401 without one.",
        )
    return bad(
        f"{what}: {exchange.describe()}, expected 401",
        "Answer 401 Unauthorized (not 403 or 404) when the Authorization header is missing or "
        "the token is not valid: RFC 7644 §3.12 gives 401 to 'authorization header invalid "
        "or missing'.",
    )


def _no_token(ctx: CheckContext) -> Finding:
    return _refused(ctx, None, "GET /Users without an Authorization header")


def _wrong_token(ctx: CheckContext) -> Finding:
    return _refused(ctx, f"{ctx.prefix}not-the-token", "GET /Users with a wrong bearer token")


# --- queries (RFC 7644 §3.4.2) --------------------------------------------------------------


def _empty_search(ctx: CheckContext) -> Finding:
    exchange = ctx.probe.get("Users", {"filter": eq_filter("userName", ctx.guid())})
    if exchange.status == 404:
        return bad(
            "a query matching nothing answered 404",
            "Answer a query that matches nothing with 200 and an empty ListResponse "
            '({"totalResults":0,"Resources":[]}), never 404: Entra\'s Test Connection fails and '
            "the job is quarantined (S4; jelhub/scimgateway#18, grokability/snipe-it#11913).",
        )
    if exchange.status != 200:
        return bad(f"{exchange.describe()}, expected 200 with an empty ListResponse")
    resources = list_resources(exchange)
    if resources is None:
        return bad("the 200 body is not a SCIM ListResponse with a numeric totalResults")
    total = exchange.json()["totalResults"]
    if total != 0 or resources:
        return bad(
            f"a filter no user matches returned {max(total, len(resources))} user(s)",
            "Apply the filter: a userName no user has must give totalResults 0.",
        )
    return ok("200 with totalResults 0")


def _finds(
    ctx: CheckContext,
    fixture: Fixture,
    filter_text: str,
    hint: str,
    *,
    what: str | None = None,
    excluded: str | None = None,
) -> Finding:
    """Query the fixture's endpoint with ``filter_text``: exactly the fixture must come back."""
    params = {"excludedAttributes": excluded} if excluded else {}
    exchange = ctx.probe.get(fixture.endpoint, {**params, "filter": filter_text})
    return _expect_one(exchange, str(fixture.id), what or f"filter {filter_text}", hint)


def _filter_user_name(ctx: CheckContext) -> Finding:
    user = ctx.require_user("ada")
    return _finds(
        ctx,
        user,
        eq_filter("userName", user["userName"]),
        'Support filter=userName eq "...": Entra matches every user with it before creating '
        "one (S1), so without it every cycle creates duplicates or conflicts.",
    )


def _user_name_case(ctx: CheckContext) -> Finding:
    user = ctx.require_user("ada")
    variant = _swap_case(user["userName"])
    return _finds(
        ctx,
        user,
        eq_filter("userName", variant),
        "Compare userName case-insensitively (RFC 7643 §4.1.1: caseExact false). Entra matches "
        "on userPrincipalName, which is case-insensitive: a UPN whose case changed is not "
        "found, Entra POSTs it again and meets 409 (SimpleIdServer#489).",
        what=f'filter userName eq "{variant}" (the userName in other case)',
    )


def _filter_external_id(ctx: CheckContext) -> Finding:
    user = ctx.require_user("ada")
    return _finds(
        ctx,
        user,
        eq_filter("externalId", user["externalId"]),
        'Support filter=externalId eq "...": Entra queries users "by their username and '
        'externalId" (S1; langwatch/tasks#616).',
    )


def _filter_value_path(ctx: CheckContext) -> Finding:
    user = ctx.require_user("grace")
    address = json.dumps(ctx.email("grace", "work"))
    return _finds(
        ctx,
        user,
        f'emails[type eq "work" and value eq {address}]',
        'Support value-path filters on multi-valued attributes (emails[type eq "work" and '
        'value eq "..."], RFC 7644 §3.4.2.2 valuePath): Entra sends one when the work email '
        "is the matching attribute.",
    )


def _group_display_name(ctx: CheckContext) -> Finding:
    group = ctx.require_group("one")
    return _finds(
        ctx,
        group,
        eq_filter("displayName", group["displayName"]),
        'Support filter=displayName eq "..." on /Groups: Entra matches groups by displayName (S1).',
        excluded="members",
    )


def _pagination(ctx: CheckContext) -> Finding:
    ctx.require_user("ada")
    ctx.require_user("grace")
    first = ctx.probe.get("Users", {"startIndex": "1", "count": "1"})
    second = ctx.probe.get("Users", {"startIndex": "2", "count": "1"})
    pages = []
    for number, exchange in enumerate((first, second), start=1):
        if exchange.status != 200 or list_resources(exchange) is None:
            return bad(f"page {number}: {exchange.describe()}, expected 200 with a ListResponse")
        body = exchange.json()
        resources = list_resources(exchange) or []
        if len(resources) != 1:
            return bad(
                f"page {number} (count=1) holds {len(resources)} resources",
                "Honour count: return at most count resources per page (RFC 7644 §3.4.2.4).",
            )
        if body.get("startIndex") not in (None, number):
            return bad(f"page {number} answers startIndex {body.get('startIndex')}")
        if isinstance(body.get("totalResults"), int) and body["totalResults"] < 2:
            return bad(f"totalResults is {body['totalResults']}, but two test users exist")
        pages.append(resources[0].get("id"))
    if pages[0] == pages[1]:
        return bad(
            "startIndex=1 and startIndex=2 return the same user",
            "Honour startIndex (1-based): page 2 starts with the second resource.",
        )
    return ok("count and startIndex page through the users")


# --- writes ---------------------------------------------------------------------------------


def _create_user(ctx: CheckContext) -> Finding:
    user = ctx.user("ada")
    exchange = user.exchange
    if exchange.status != 201:
        return bad(
            f"{exchange.describe()}, expected 201 Created",
            "Answer a successful POST /Users with 201 Created and the new resource, its id "
            "included (RFC 7644 §3.3); Entra caches that id for every later call (S1).",
        )
    if user.id is None:
        return bad("the 201 body has no id")
    echoed = user.resource.get("userName")
    if not isinstance(echoed, str) or echoed.lower() != user["userName"].lower():
        return bad(f"the created user's userName is {echoed!r}, not {user['userName']!r}")
    return ok(f"201 with id {user.id}")


def _create_location(ctx: CheckContext) -> Finding:
    user = ctx.require_user("ada")
    location = user.exchange.header("location")
    meta = user.resource.get("meta")
    meta_location = meta.get("location") if isinstance(meta, dict) else None
    hint = (
        "Send the new resource's URI in a Location header and in meta.location of a 201 "
        "(RFC 7644 §3.3, wso2/product-is#5328)."
    )
    if not location:
        return bad("the 201 has no Location header", hint, [user.exchange])
    if not meta_location:
        return bad("the created resource has no meta.location", hint, [user.exchange])
    return ok(f"Location: {location}")


def _uniqueness(ctx: CheckContext) -> Finding:
    user = ctx.require_user("ada")
    duplicate = dict(user.body, externalId=f"{ctx.prefix}rfc-ada-duplicate")
    exchange = ctx.probe.post("Users", duplicate)
    ctx.register("Users", exchange, f"{user['userName']} (duplicate)")
    if exchange.status == 409:
        body = exchange.json()
        if isinstance(body, dict) and str(body.get("scimType", "")) == "uniqueness":
            return ok("409 with scimType uniqueness")
        return bad(
            "409 without scimType uniqueness",
            'Add "scimType":"uniqueness" to the 409 Error (RFC 7644 §3.3, §3.12).',
        )
    if exchange.status is not None and 200 <= exchange.status < 300:
        return bad(
            "a second user with the same userName was created",
            "Refuse a duplicate userName with 409 and scimType uniqueness (RFC 7644 §3.3): "
            "duplicates make Entra's next match fail with DuplicateTargetEntries (S13).",
        )
    return bad(f"{exchange.describe()}, expected 409 Conflict with scimType uniqueness")


def _value_path_write(ctx: CheckContext, key: str, op: str) -> Finding:
    user = ctx.require_user(key)
    address = f"{ctx.prefix}rfc-{key}-{op}@example.com"
    path = 'emails[type eq "work"].value'
    body = {
        "schemas": [PATCH_OP_SCHEMA],
        "Operations": [{"op": op, "path": path, "value": address}],
    }
    exchange = ctx.probe.patch(f"Users/{user.id}", body)
    hint = (
        f"Create the element on {op} to {path} when the user has no work email: Entra sends "
        "exactly this to users that have none yet (S1; sourcegraph#49119, "
        "scim-for-keycloak#73)."
    )
    if op == "replace":
        hint += " RFC 7644 §3.5.2.3 would answer 400 noTarget, but Entra cannot recover from it."
    if exchange.status not in (200, 204):
        return bad(f"{exchange.describe()}, expected 200 or 204", hint)
    read = ctx.probe.get(f"Users/{user.id}")
    if read.status != 200 or not isinstance(read.json(), dict):
        return bad(f"reading the user back: {read.describe()}", hint)
    emails = _emails(read.json())
    if not any(e.get("value") == address for e in _typed(emails, "work")):
        return bad(
            f"the PATCH answered {exchange.status}, but the user has no work email {address}", hint
        )
    had = [e["value"] for e in user.body.get("emails", ())]
    lost = [value for value in had if not any(e.get("value") == value for e in emails)]
    if lost:
        return bad(f"the email(s) the user had are gone: {', '.join(lost)}", hint)
    return ok(f"{op} created the work email")


def _value_path_add(ctx: CheckContext) -> Finding:
    return _value_path_write(ctx, "linus", "add")


def _value_path_replace(ctx: CheckContext) -> Finding:
    return _value_path_write(ctx, "ada", "replace")


def _inactive_returned(ctx: CheckContext) -> Finding:
    user = ctx.require_user("hedy")
    body = {
        "schemas": [PATCH_OP_SCHEMA],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }
    patched = ctx.probe.patch(f"Users/{user.id}", body)
    if patched.status not in (200, 204):
        raise Unmet(f"needs an inactive user, but {patched.describe()}", [patched])
    read = ctx.probe.get(f"Users/{user.id}")
    hint = (
        "Keep deactivated users readable (GET /Users/{id} and filters) with active false; only "
        "deleted users may answer 404. Entra reads them to re-enable or delete them (S1; "
        "growthbook#1680)."
    )
    if read.status != 200 or not isinstance(read.json(), dict):
        return bad(f"GET of the deactivated user: {read.describe()}", hint, [patched, read])
    if read.json().get("active") is not False:
        return bad(
            f"after PATCH active false the user reads active={read.json().get('active')!r}",
            "Apply PATCH replace of active: the PATCH was acknowledged but the user is still "
            "active, so deprovisioning silently fails (Cogtrix#122).",
            [patched, read],
        )
    query = ctx.probe.get("Users", {"filter": eq_filter("userName", user["userName"])})
    found = _expect_one(query, str(user.id), "filter userName eq on the inactive user", hint)
    if not found.passed:
        return found
    return ok("the inactive user is returned by id and by filter, with active false")


def _excluded_members(ctx: CheckContext) -> Finding:
    group = ctx.require_group("one")
    member = ctx.require_user("ada")
    add = {
        "schemas": [PATCH_OP_SCHEMA],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": member.id}]}],
    }
    added = ctx.probe.patch(f"Groups/{group.id}", add)
    full = ctx.probe.get(f"Groups/{group.id}")
    members = full.json().get("members") if isinstance(full.json(), dict) else None
    if added.status not in (200, 204) or not members:
        raise Unmet(
            "needs a group with a member, but adding one failed "
            f"({added.describe()}; {full.describe()})",
            [added, full],
        )
    hint = (
        "Leave members out when excludedAttributes=members is asked (RFC 7644 §3.9): Entra "
        "queries groups that way and logs SystemForCrossDomainIdentityManagementMultipleEntries"
        "InResponse when members come back (S13; SimpleIdServer#490)."
    )
    query = ctx.probe.get(
        "Groups",
        {"excludedAttributes": "members", "filter": eq_filter("displayName", group["displayName"])},
    )
    resources = list_resources(query)
    if query.status != 200 or not resources:
        return bad(f"the group query: {query.describe()}, expected the test group", hint)
    if any(r.get("members") for r in resources):
        return bad(
            "GET /Groups?excludedAttributes=members&filter=... returned members", hint, [query]
        )
    single = ctx.probe.get(f"Groups/{group.id}", {"excludedAttributes": "members"})
    if single.status != 200 or not isinstance(single.json(), dict):
        return bad(f"GET /Groups/{{id}}?excludedAttributes=members: {single.describe()}", hint)
    if single.json().get("members"):
        return bad("GET /Groups/{id}?excludedAttributes=members returned members", hint, [single])
    return ok("members left out of the query and of the single group")


def _delete(ctx: CheckContext) -> Finding:
    user = ctx.require_user("alan")
    deleted = ctx.probe.delete(f"Users/{user.id}")
    if deleted.status != 204:
        return bad(
            f"{deleted.describe()}, expected 204 No Content",
            "Answer a successful DELETE with 204 No Content (RFC 7644 §3.6).",
        )
    hint = (
        "Forget a deleted resource: GET /Users/{id} must answer 404 and filters must no "
        "longer find it (RFC 7644 §3.6)."
    )
    read = ctx.probe.get(f"Users/{user.id}")
    if read.status != 404:
        return bad(f"GET of the deleted user: {read.describe()}, expected 404", hint)
    query = ctx.probe.get("Users", {"filter": eq_filter("userName", user["userName"])})
    resources = list_resources(query)
    if resources:
        return bad("the deleted user is still found by filter userName eq", hint)
    return ok("204, then 404 and no longer found")


# --- sweeps over the whole run --------------------------------------------------------------


def _error_bodies(ctx: CheckContext) -> Finding:
    probe = ctx.probe.get(f"Users/{ctx.guid().replace('-', '')}", retry=False)
    failures: list[tuple[Exchange, str]] = []
    if probe.status != 404:
        failures.append((probe, f"GET of an unknown id: {probe.describe()}, expected 404"))
    errors = [e for e in ctx.log.all() if e.status is not None and e.status >= 400]
    for exchange in errors:
        problem = _error_problem(exchange)
        if problem is not None:
            failures.append((exchange, problem))
    if not failures:
        return ok(f"{len(errors)} error response(s), each a SCIM Error with the right status")
    first = failures[0][1]
    return bad(
        f"{len(failures)} of {len(errors)} error response(s) are not SCIM Error JSON; first: "
        f"{first}",
        evidence=[e for e, _ in failures],
    )


def _error_problem(exchange: Exchange) -> str | None:
    body = exchange.json()
    if not isinstance(body, dict):
        return f"{exchange.describe()}: the body is not a JSON object"
    if ERROR_SCHEMA not in (body.get("schemas") or []):
        return f"{exchange.describe()}: schemas does not name {ERROR_SCHEMA}"
    status = body.get("status")
    if not isinstance(status, str):
        return f"{exchange.describe()}: status must be a JSON string, not {status!r}"
    if status != str(exchange.status):
        return f"{exchange.describe()}: the body says status {status!r}"
    return None


def _media_type(ctx: CheckContext) -> Finding:
    with_body = [e for e in ctx.log.all() if e.status is not None and e.response_body]
    wrong = [e for e in with_body if e.media_type != SCIM_MEDIA_TYPE]
    if not wrong:
        return ok(f"{len(with_body)} response(s), all application/scim+json")
    types = sorted({str(e.media_type) for e in wrong})
    return bad(
        f"{len(wrong)} of {len(with_body)} response(s) are {', '.join(types)}",
        evidence=wrong,
    )


def _schema_validation(ctx: CheckContext) -> Finding:
    checked = 0
    findings: list[tuple[Exchange, str]] = []
    for exchange in ctx.log.all():
        if exchange.status is None or not exchange.response_body:
            continue
        body = exchange.json()
        if body is None:
            if exchange.status < 300 and exchange.method != "DELETE":
                findings.append((exchange, f"{exchange.describe()}: the body is not JSON"))
            continue
        checked += 1
        for violation in validate_exchange(
            exchange.method, exchange.path, exchange.status, None, body
        ):
            findings.append((exchange, str(violation)))
    if not findings:
        return ok(f"{checked} response bod(ies) valid")
    shown = "; ".join(text for _, text in findings[:3])
    return bad(
        f"{len(findings)} schema violation(s) in {len({e.index for e, _ in findings})} "
        f"response(s): {shown}",
        evidence=list({e.index: e for e, _ in findings}.values()),
    )


def _throttling(ctx: CheckContext) -> Finding:
    throttled = [e for e in ctx.log.all() if e.status == 429]
    if not throttled:
        return ok("never throttled")
    if ctx.rate > ENTRA_REQUESTS_PER_SECOND:
        return ok(
            f"{len(throttled)} × 429 at --rate {ctx.rate:g}, above the "
            f"{ENTRA_REQUESTS_PER_SECOND:g} requests/s Entra needs: not counted"
        )
    return bad(
        f"{len(throttled)} request(s) answered 429 although the run stayed within "
        f"{ctx.rate:g} requests/s",
        evidence=throttled,
    )


def _server_errors(ctx: CheckContext) -> Finding:
    failed = [e for e in ctx.log.all() if e.status is not None and e.status >= 500]
    if not failed:
        return ok("no 5xx")
    statuses = sorted({str(e.status) for e in failed})
    return bad(f"{len(failed)} response(s) were {', '.join(statuses)}", evidence=failed)


def _timeouts(ctx: CheckContext) -> Finding:
    late = [e for e in ctx.log.all() if e.timed_out]
    if not late:
        return ok("every request answered in time")
    return bad(f"{len(late)} request(s) got no answer within the timeout", evidence=late)


def _token_stable(ctx: CheckContext) -> Finding:
    accepted = False
    refused: list[Exchange] = []
    for exchange in ctx.log.all():
        if exchange.expect_refusal or exchange.status is None:
            continue
        if exchange.status in (401, 403):
            if accepted:
                refused.append(exchange)
        elif exchange.status < 400:
            accepted = True
    if not refused:
        return ok("the token was accepted throughout")
    return bad(
        f"the token was accepted, then refused {len(refused)} time(s) (first: "
        f"{refused[0].describe()})",
        evidence=refused,
    )


# --- the registry ---------------------------------------------------------------------------

_ENTRA_RFC: Final[frozenset[Scope]] = frozenset({"entra", "rfc"})
_RFC: Final[frozenset[Scope]] = frozenset({"rfc"})
_ENTRA: Final[frozenset[Scope]] = frozenset({"entra"})


def _check(
    check_id: str,
    title: str,
    source: str,
    level: Level,
    scopes: frozenset[Scope],
    hint: str,
    body: Callable[[CheckContext], Finding],
    *,
    sweep: bool = False,
) -> Check:
    return Check(CheckInfo(check_id, title, source, level, scopes, hint), body, sweep)


CHECKS: Final[tuple[Check, ...]] = (
    _check(
        "RFC7644-4-SERVICE-PROVIDER-CONFIG",
        "GET /ServiceProviderConfig describes the service",
        "RFC 7644 §4; RFC 7643 §5",
        "MUST",
        _RFC,
        "Serve GET /ServiceProviderConfig with the ServiceProviderConfig schema URN and its "
        "required attributes (patch, bulk, filter, changePassword, sort, etag, "
        "authenticationSchemes).",
        _service_provider_config,
    ),
    _check(
        "RFC7644-4-SCHEMAS",
        "GET /Schemas lists the User schema",
        "RFC 7644 §4; RFC 7643 §7",
        "MUST",
        _RFC,
        "Serve GET /Schemas as a ListResponse of the schemas you support, the core User schema "
        "among them (Entra reads /Schemas for gallery apps, S1).",
        _schemas,
    ),
    _check(
        "RFC7644-4-RESOURCE-TYPES",
        "GET /ResourceTypes lists Users",
        "RFC 7644 §4; RFC 7643 §6",
        "MUST",
        _RFC,
        "Serve GET /ResourceTypes as a ListResponse with a ResourceType whose endpoint is /Users.",
        _resource_types,
    ),
    _check(
        "RFC7644-2-AUTH-MISSING",
        "A request without credentials is refused with 401",
        "RFC 7644 §2, §3.12",
        "MUST",
        _RFC,
        "Answer 401 Unauthorized when the Authorization header is missing.",
        _no_token,
    ),
    _check(
        "RFC7644-2-AUTH-WRONG",
        "A request with a wrong bearer token is refused with 401",
        "RFC 7644 §2, §3.12; Entra S4 (401 means invalid credentials)",
        "MUST",
        _RFC,
        "Answer 401 Unauthorized when the bearer token is not valid.",
        _wrong_token,
    ),
    _check(
        "RFC7644-3.4.2-EMPTY-SEARCH",
        "A query that matches nothing answers 200 with an empty ListResponse",
        "RFC 7644 §3.4.2; Entra S1 (Test Connection), S4",
        "MUST",
        _ENTRA_RFC,
        "Answer 200 with totalResults 0 and no Resources when nothing matches.",
        _empty_search,
    ),
    _check(
        "RFC7644-3.3-CREATE-USER",
        "POST /Users answers 201 with the new user and its id",
        "RFC 7644 §3.3; Entra S1",
        "MUST",
        _ENTRA_RFC,
        "Answer 201 Created with the created resource and its id.",
        _create_user,
    ),
    _check(
        "RFC7644-3.3-CREATE-LOCATION",
        "201 Created carries a Location header and meta.location",
        "RFC 7644 §3.3",
        "MUST",
        _RFC,
        "Send the Location header and meta.location with 201 Created.",
        _create_location,
    ),
    _check(
        "RFC7644-3.4.2.2-FILTER-USERNAME",
        'filter=userName eq "..." finds exactly that user',
        "RFC 7644 §3.4.2.2; Entra S1 (matching)",
        "MUST",
        _ENTRA_RFC,
        'Support filter=userName eq "...".',
        _filter_user_name,
    ),
    _check(
        "RFC7643-4.1.1-USERNAME-CASE-INSENSITIVE",
        "userName eq compares case-insensitively (caseExact false)",
        "RFC 7643 §4.1.1; RFC 7644 §3.4.2.2",
        "MUST",
        _ENTRA_RFC,
        "Compare userName case-insensitively in filters.",
        _user_name_case,
    ),
    _check(
        "RFC7644-3.4.2.2-FILTER-EXTERNALID",
        'filter=externalId eq "..." finds exactly that user',
        "RFC 7644 §3.4.2.2; Entra S1 (queries by userName and externalId)",
        "MUST",
        _ENTRA_RFC,
        'Support filter=externalId eq "...".',
        _filter_external_id,
    ),
    _check(
        "RFC7644-3.4.2.2-FILTER-VALUE-PATH",
        'A value-path filter on emails finds the user (emails[type eq "work" and value eq ...])',
        "RFC 7644 §3.4.2.2 (valuePath); Entra S1 (users queried by work email)",
        "SHOULD",
        _RFC,
        "Support value-path filters on emails.",
        _filter_value_path,
    ),
    _check(
        "RFC7644-3.3-UNIQUENESS",
        "A duplicate userName is refused with 409 and scimType uniqueness",
        "RFC 7644 §3.3, §3.12; Entra S13 (EntryConflict)",
        "MUST",
        _ENTRA_RFC,
        "Refuse a duplicate userName with 409 Conflict and scimType uniqueness.",
        _uniqueness,
    ),
    _check(
        "ENTRA-S1-PATCH-ADD-VALUE-PATH",
        'PATCH add on emails[type eq "work"].value creates the element when none matches',
        "Entra S1 (User update); RFC 7644 §3.5.2.1",
        "MUST",
        _ENTRA,
        "Create the work email on add when the user has none.",
        _value_path_add,
    ),
    _check(
        "ENTRA-S1-PATCH-REPLACE-VALUE-PATH",
        'PATCH replace on emails[type eq "work"].value creates the element when none matches',
        "Entra S1 (User update); differs from RFC 7644 §3.5.2.3 (noTarget)",
        "MUST",
        _ENTRA,
        "Create the work email on replace when the user has none, as Entra expects; RFC 7644 "
        "§3.5.2.3 would answer 400 noTarget here, which Entra cannot recover from.",
        _value_path_replace,
    ),
    _check(
        "ENTRA-S1-INACTIVE-USER-RETURNED",
        "A deactivated user is still returned, with active false",
        "Entra S1 (Disable: only hard-deleted users may 404)",
        "MUST",
        _ENTRA,
        "Keep deactivated users readable with active false.",
        _inactive_returned,
    ),
    _check(
        "RFC7644-3.4.2.2-FILTER-GROUP-DISPLAYNAME",
        'filter=displayName eq "..." on /Groups finds exactly that group',
        "RFC 7644 §3.4.2.2; Entra S1 (groups queried by displayName)",
        "MUST",
        _ENTRA_RFC,
        'Support filter=displayName eq "..." on /Groups.',
        _group_display_name,
    ),
    _check(
        "RFC7644-3.9-EXCLUDED-MEMBERS",
        "excludedAttributes=members leaves members out of groups",
        "RFC 7644 §3.9; Entra S1, S13",
        "MUST",
        _ENTRA_RFC,
        "Honour excludedAttributes=members on /Groups queries and reads.",
        _excluded_members,
    ),
    _check(
        "RFC7644-3.4.2.4-PAGINATION",
        "startIndex and count page through /Users",
        "RFC 7644 §3.4.2.4; Entra S1 (support list pagination)",
        "SHOULD",
        _RFC,
        "Honour startIndex (1-based) and count on queries.",
        _pagination,
    ),
    _check(
        "RFC7644-3.6-DELETE",
        "DELETE answers 204, then the user is gone (404)",
        "RFC 7644 §3.6",
        "MUST",
        _RFC,
        "Answer DELETE with 204 and 404 afterwards.",
        _delete,
    ),
    _check(
        "RFC7644-3.12-ERROR-BODIES",
        "Every error response is SCIM Error JSON with the HTTP status",
        "RFC 7644 §3.12",
        "MUST",
        _RFC,
        'Return errors as {"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],'
        '"status":"<HTTP status as a string>","detail":"..."} (RFC 7644 §3.12), 404 for an '
        "unknown id.",
        _error_bodies,
        sweep=True,
    ),
    _check(
        "RFC7644-3.8-MEDIA-TYPE",
        "Responses are application/scim+json",
        "RFC 7644 §3.1, §3.8, §8.1; Entra S1",
        "SHOULD",
        _RFC,
        "Send Content-Type: application/scim+json on every SCIM response (the client asks for "
        "it with Accept: application/scim+json; pond/scimitar#59).",
        _media_type,
        sweep=True,
    ),
    _check(
        "RFC7643-SCHEMA-VALIDATION",
        "Every response body validates against the RFC 7643/7644 JSON Schemas",
        "RFC 7643 §2-§8; RFC 7644 §3 (provisim's JSON Schemas)",
        "MUST",
        _RFC,
        "Fix the response bodies named in the evidence: each violation gives the JSON pointer "
        "and the rule it breaks.",
        _schema_validation,
        sweep=True,
    ),
    _check(
        "ENTRA-S1-THROUGHPUT",
        "No 429 while the run stays within 25 requests per second",
        "Entra S1 (endpoints must handle 25 requests per second per tenant)",
        "MUST",
        _ENTRA,
        "Sustain at least 25 requests per second per tenant without throttling; Entra pauses "
        "the job for every Retry-After (entra §2 'Errors and retries').",
        _throttling,
        sweep=True,
    ),
    _check(
        "ENTRA-S13-SERVER-ERRORS",
        "No 5xx responses",
        "Entra S13 (InternalServerError is retried in 40 minutes)",
        "SHOULD",
        _ENTRA,
        "Do not answer valid requests with 5xx: Entra escrows each and retries it 40 minutes "
        "later, so provisioning lags.",
        _server_errors,
        sweep=True,
    ),
    _check(
        "ENTRA-S13-TIMEOUT",
        "Every request is answered within the timeout",
        "Entra S13 (Timeout)",
        "MUST",
        _ENTRA,
        "Answer within the client timeout: Entra logs Timeout and retries 40 minutes later "
        "(scim-for-keycloak#78). Index the filtered attributes (userName, externalId, "
        "displayName).",
        _timeouts,
        sweep=True,
    ),
    _check(
        "ENTRA-S4-TOKEN-STABLE",
        "The Secret Token keeps working for the whole run",
        "Entra S4 (credentials refused: quarantine, EncounteredQuarantineException)",
        "MUST",
        _ENTRA,
        "Do not revoke or expire the token mid-run: a 401 for a token accepted before puts the "
        "Entra job in quarantine and emails the admin.",
        _token_stable,
        sweep=True,
    ),
)


def check_by_id(check_id: str) -> Check:
    for check in CHECKS:
        if check.id == check_id:
            return check
    raise KeyError(check_id)


__all__ = [
    "CHECKS",
    "LEVELS",
    "RESOURCE_PREFIX",
    "SCOPES",
    "Check",
    "CheckContext",
    "CheckInfo",
    "CheckResult",
    "CreatedResources",
    "Exchange",
    "ExchangeLog",
    "Finding",
    "Fixture",
    "Level",
    "Outcome",
    "RecordingTransport",
    "ScimProbe",
    "Scope",
    "Unmet",
    "bad",
    "check_by_id",
    "evaluate",
    "list_resources",
    "ok",
    "retry_after_seconds",
]
