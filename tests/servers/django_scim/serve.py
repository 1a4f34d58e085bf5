"""Serve the django-scim2 host on 127.0.0.1 for provisim's conformance tests.

Usage: DJANGO_SCIM_DB=/tmp/x/db.sqlite3 DJANGO_SCIM_TOKEN=... python serve.py

It creates the SQLite database (``migrate``), listens on a free port and prints
``listening <port>`` on stdout once it accepts connections; SIGTERM stops it.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scimhost.settings")

import django
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No access log: the test reads only the first line of stdout."""


def main() -> None:
    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    server: WSGIServer = make_server(
        "127.0.0.1", 0, get_wsgi_application(), handler_class=QuietHandler
    )

    def stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    print(f"listening {server.server_port}", flush=True)
    with server:
        server.serve_forever()


if __name__ == "__main__":
    main()
