"""Limits on what a SCIM endpoint can make a client wait for or read: one deadline per
request, one cap on the body.

httpx's ``timeout`` bounds each socket operation, not the response: an endless chunked
body, or a body dripped one byte a second, never trips it, and a 50 MB answer is read
whole into memory. :class:`BoundedTransport` wraps a transport that talks to a real socket
and ends every request, whatever the server does, by its deadline:

* **Deadline.** One ``timeout`` covers connecting, sending, the response headers and the
  whole body. Each socket operation's own timeout is capped at it, the exchange runs on a
  worker thread, and the caller waits for it no longer than the deadline: a read blocked
  in the kernel cannot outlive it. Past the deadline the request ends with
  :class:`ResponseDeadlineExceeded` (an ``httpx.TimeoutException``, so it is logged as
  Entra's ``Timeout``), the abandoned response's socket is shut down and its worker stops
  at its next chunk.
* **Body cap.** The body is read (decoded, so a compressed bomb counts at its real size)
  chunk by chunk; past ``max_body`` bytes the request ends with :class:`ResponseTooLarge`
  (an ``httpx.TransportError``) and the rest is never read.

The response handed back is already read, as ``httpx.Client`` would have it after
``read()``. In-process transports (Fake Elevate on an ASGI app) are trusted and never
wrapped: see ``harness.network.Network.route``.

The module is in ``fake_entra`` because harness may import fake_entra but fake_entra never
imports harness: the engine's SCIM client and every harness tool share it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Final

import httpx

#: The deadline of one request, connect to last body byte (Entra's own is undocumented;
#: its SCIM guidance asks endpoints to answer promptly, so 30 s is generous).
DEFAULT_TIMEOUT_SECONDS: Final = 30.0
#: The largest response body read. A SCIM answer Entra asks for is one user, one group or a
#: filtered list of at most a few: kilobytes. 8 MiB leaves room for a large group's members.
DEFAULT_MAX_BODY_BYTES: Final = 8 * 1024 * 1024


class ResponseDeadlineExceeded(httpx.TimeoutException):
    """No complete response (headers and whole body) within the request's deadline."""


class ResponseTooLarge(httpx.TransportError):
    """The response body is over the size cap; the rest of it was not read."""


@dataclass(frozen=True)
class ResponseLimits:
    """How long one request may take in all, and how large its response body may be."""

    timeout: float = DEFAULT_TIMEOUT_SECONDS
    max_body: int = DEFAULT_MAX_BODY_BYTES

    def __post_init__(self) -> None:
        if not self.timeout > 0:
            raise ValueError(f"the request deadline must be positive, not {self.timeout!r}")
        if self.max_body < 1:
            raise ValueError(f"the body size cap must be positive, not {self.max_body!r}")


def size_text(size: int) -> str:
    """A byte count as people read a limit: ``8 MiB``, ``512 KiB``, ``100 bytes``."""
    for unit, scale in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} bytes"


def _capped_timeouts(given: Any, total: float) -> dict[str, float]:
    """Each socket operation's timeout, never beyond the whole request's."""
    timeouts = dict(given) if isinstance(given, dict) else {}
    return {
        phase: total if timeouts.get(phase) is None else min(float(timeouts[phase]), total)
        for phase in ("connect", "read", "write", "pool")
    }


class _Exchange:
    """One request's work on its worker thread: send, then read the body within the cap."""

    def __init__(self, inner: httpx.BaseTransport, request: httpx.Request, max_body: int) -> None:
        self.inner = inner
        self.request = request
        self.max_body = max_body
        self.response: httpx.Response | None = None
        self.result: httpx.Response | None = None
        self.error: BaseException | None = None
        self.abandoned = threading.Event()
        self.done = threading.Event()

    def run(self) -> None:
        try:
            self.result = self._read()
        except BaseException as error:  # handed to the waiting caller, raised there
            self.error = error
        finally:
            self.done.set()

    def _read(self) -> httpx.Response | None:
        response = self.response = self.inner.handle_request(self.request)
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_bytes():
                if self.abandoned.is_set():
                    return None
                size += len(chunk)
                if size > self.max_body:
                    raise ResponseTooLarge(
                        f"the response body is over the {size_text(self.max_body)} limit "
                        "(the rest was not read)",
                        request=self.request,
                    )
                chunks.append(chunk)
        finally:
            response.close()
        headers = response.headers.raw
        if "content-encoding" in response.headers:
            # The body is kept decoded: say so, or httpx would decode it a second time.
            headers = [
                (name, value)
                for name, value in headers
                if name.lower() not in (b"content-encoding", b"content-length")
            ]
        extensions = {k: v for k, v in response.extensions.items() if k != "network_stream"}
        return httpx.Response(
            response.status_code,
            headers=headers,
            content=b"".join(chunks),
            request=self.request,
            extensions=extensions,
        )

    def abandon(self) -> None:
        """The caller gave up: stop reading, and unblock a read waiting in the kernel."""
        self.abandoned.set()
        response = self.response
        stream = None if response is None else response.extensions.get("network_stream")
        sock = None if stream is None else stream.get_extra_info("socket")
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):  # already closed: nothing left to unblock
                sock.shutdown(socket.SHUT_RDWR)


class BoundedTransport(httpx.BaseTransport):
    """Forward to ``inner`` (a transport over real sockets) within :class:`ResponseLimits`."""

    def __init__(self, inner: httpx.BaseTransport, limits: ResponseLimits | None = None) -> None:
        self.inner = inner
        self.limits = limits or ResponseLimits()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        limits = self.limits
        deadline = time.monotonic() + limits.timeout
        request.read()
        request.extensions = {
            **request.extensions,
            "timeout": _capped_timeouts(request.extensions.get("timeout"), limits.timeout),
        }
        work = _Exchange(self.inner, request, limits.max_body)
        worker = threading.Thread(target=work.run, name="provisim-request", daemon=True)
        worker.start()
        if not work.done.wait(max(0.0, deadline - time.monotonic())):
            work.abandon()
            raise ResponseDeadlineExceeded(
                f"no complete response within the {limits.timeout:g} s deadline "
                "(connect, headers and whole body)",
                request=request,
            )
        if work.error is not None:
            raise work.error
        if work.result is None:  # only an abandoned exchange has none, and this one was not
            raise RuntimeError("the request ended without a response or an error")
        return work.result

    def close(self) -> None:
        self.inner.close()


__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_TIMEOUT_SECONDS",
    "BoundedTransport",
    "ResponseDeadlineExceeded",
    "ResponseLimits",
    "ResponseTooLarge",
    "size_text",
]
