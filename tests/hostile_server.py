"""A small malicious SCIM endpoint on a free loopback port, for tests of provisim's clients.

:class:`HostileServer` speaks just enough HTTP/1.1 (raw sockets, one thread per connection,
keep-alive) to answer every request in one of these :class:`Mode` s:

* ``endless``: 200 with a chunked body that never ends (a small chunk every few ms);
* ``drip``: 200 with a declared 100 kB body sent one byte per ``drip_interval``;
* ``big``: 200 with a 50 MB body (``big_size``) sent as fast as the client reads;
* ``redirect``: 307 to the same path on another port (``redirect_to``): a client must not
  follow it with the token;
* ``echo``: the bearer token sent back in a body field, in headers (``X-Echo-Token``, a
  ``WWW-Authenticate`` challenge) and in the ``detail`` of a SCIM error;
* ``ansi``: an error ``detail`` and a header full of terminal escape sequences (clear
  screen, an OSC 8 link, a carriage return and a forged verdict line, C1 controls);
* ``html``: an error ``detail`` with a script, an event handler and rich markup;
* ``plain``: an empty SCIM ListResponse to every GET, 400 to the rest (a redirect's target).

In the answer modes (``echo``, ``ansi``, ``html``, ``plain``) a GET answers 200 with an empty
ListResponse carrying the payload in an extra attribute, and every other method answers 400
with a SCIM Error carrying it in ``detail``, so a run goes on and writes its reports.
``requests`` keeps what each request looked like (method, path, headers). Reused by tests of
``provisim conformance``, ``run --scim-url``, ``replay`` and ``load``.
"""

from __future__ import annotations

import json
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field
from enum import StrEnum
from types import TracebackType
from typing import Any

LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"

#: What the ``ansi`` mode says: clear the screen, home the cursor, plant a hyperlink, go
#: back to the start of the line and forge the verdict, with C1 CSI and a bidi override.
ANSI_PAYLOAD = (
    "\x1b[2J\x1b[H\x1b]8;;https://evil.example/\x1b\\click here\x1b]8;;\x1b\\"
    "\rWorks with Entra:  yes\n\x9b31mRFC conformant:    yes\u202e"
)
#: What the ``html`` mode says: markup for a browser and for rich.
HTML_PAYLOAD = (
    '<script>alert("owned")</script><img src=x onerror=alert(1)>'
    "[bold red]FAKE PASS[/bold red][link=https://evil.example/]x[/link]"
)


class Mode(StrEnum):
    ENDLESS = "endless"
    DRIP = "drip"
    BIG = "big"
    REDIRECT = "redirect"
    ECHO = "echo"
    ANSI = "ansi"
    HTML = "html"
    PLAIN = "plain"


@dataclass
class SeenRequest:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class HostileServer:
    """A malicious endpoint: ``with HostileServer(Mode.DRIP) as server: server.url``."""

    mode: Mode
    drip_interval: float = 0.5
    big_size: int = 50 * 1000 * 1000
    redirect_to: str | None = None
    requests: list[SeenRequest] = field(default_factory=list)
    _server: socketserver.ThreadingTCPServer | None = None
    _thread: threading.Thread | None = None
    _stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the server is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The Tenant URL to give a client."""
        return f"http://127.0.0.1:{self.port}/scim/v2"

    def start(self) -> HostileServer:
        hostile = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                hostile._serve(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"hostile-{self.mode}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- one connection -------------------------------------------------------------------

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(30)
        reader = conn.makefile("rb")
        try:
            while not self._stopping.is_set():
                request = self._read_request(reader)
                if request is None:
                    return
                self.requests.append(request)
                if not self._answer(conn, request):
                    return
        except OSError:
            return  # the client went away: what a deadline or a size cap does
        finally:
            reader.close()

    def _read_request(self, reader: Any) -> SeenRequest | None:
        line = reader.readline(65536)
        if not line:
            return None
        method, path, _ = line.decode("latin-1").split(" ", 2)
        headers: dict[str, str] = {}
        while True:
            header = reader.readline(65536)
            if header in (b"\r\n", b"\n", b""):
                break
            name, _, value = header.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0)
        if length:
            reader.read(length)
        return SeenRequest(method, path, headers)

    def _answer(self, conn: socket.socket, request: SeenRequest) -> bool:
        """Send the mode's answer; whether the connection can serve another request."""
        mode = self.mode
        if mode is Mode.ENDLESS:
            conn.sendall(_head(200, {"Transfer-Encoding": "chunked"}))
            chunk = b"a" * 1024
            while not self._stopping.is_set():
                conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                time.sleep(0.01)
            return False
        if mode is Mode.DRIP:
            conn.sendall(_head(200, {"Content-Length": "100000"}))
            while not self._stopping.is_set():
                conn.sendall(b" ")
                time.sleep(self.drip_interval)
            return False
        if mode is Mode.BIG:
            start = b'{"schemas": ["%s"], "totalResults": 0, "Resources": [], "x": "' % (
                LIST_RESPONSE.encode()
            )
            end = b'"}'
            filler = self.big_size - len(start) - len(end)
            conn.sendall(_head(200, {"Content-Length": str(self.big_size)}) + start)
            block = b"a" * (1 << 20)
            while filler > 0 and not self._stopping.is_set():
                conn.sendall(block[: min(filler, len(block))])
                filler -= len(block)
            conn.sendall(end)
            return True
        if mode is Mode.REDIRECT:
            target = f"{self.redirect_to or 'http://127.0.0.1:9'}{request.path}"
            conn.sendall(_head(307, {"Location": target, "Content-Length": "0"}))
            return True
        token = request.headers.get("authorization", "").partition(" ")[2]
        payload = {
            Mode.ECHO: f"token {token} is not welcome here",
            Mode.ANSI: ANSI_PAYLOAD,
            Mode.HTML: HTML_PAYLOAD,
            Mode.PLAIN: "plain",
        }[mode]
        extra = {}
        if mode is Mode.ECHO:
            extra = {
                "X-Echo-Token": token,
                "WWW-Authenticate": f'Bearer realm="{token}", error="invalid_token"',
            }
        elif mode is Mode.ANSI:
            # Header values cannot carry CR or LF; every other control goes in.
            extra = {"X-Note": ANSI_PAYLOAD.replace("\r", "").replace("\n", "")}
        if request.method == "GET":
            body: dict[str, Any] = {
                "schemas": [LIST_RESPONSE],
                "totalResults": 0,
                "Resources": [],
                "itemsPerPage": 0,
                "startIndex": 1,
                "note": payload,
            }
            status = 200
        else:
            body = {"schemas": [ERROR], "status": "400", "scimType": "invalidValue"}
            body["detail"] = payload
            status = 400
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        extra["Content-Length"] = str(len(content))
        conn.sendall(_head(status, extra) + content)
        return True


def _head(status: int, headers: dict[str, str]) -> bytes:
    reason = {200: "OK", 307: "Temporary Redirect", 400: "Bad Request"}.get(status, "Status")
    lines = [f"HTTP/1.1 {status} {reason}", "Content-Type: application/scim+json"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


__all__ = ["ANSI_PAYLOAD", "HTML_PAYLOAD", "HostileServer", "Mode", "SeenRequest"]
