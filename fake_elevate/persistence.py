"""SQLite persistence for Fake Elevate (``provisim serve elevate --db PATH``).

Write-through: every SCIM or Account Center write is stored, in one SQLite
transaction, before the response is sent, so an acknowledged write survives a
``kill -9``. WAL mode with ``synchronous=NORMAL`` is durable against a process
crash (the case here); it trades the last transactions on an operating-system
crash for speed, which a test double can afford. State is read back at start,
so target ids that Entra cached stay valid across restarts.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS resources (
    type TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (type, id));
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (kind, key));
"""


class SqliteState:
    """One SQLite file holding resources and Account Center records, keyed by kind."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise OSError(f"cannot use {self.path} as a database: {exc}") from None
        self._lock = threading.RLock()
        self._depth = 0

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes; the outermost block commits (or rolls back on an exception)."""
        with self._lock:
            if self._depth == 0:
                self._db.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if self._depth == 0:
                    self._db.execute("ROLLBACK")
                raise
            self._depth -= 1
            if self._depth == 0:
                self._db.execute("COMMIT")

    def put_resource(self, type_name: str, resource: dict[str, Any]) -> None:
        with self.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO resources (type, id, body) VALUES (?, ?, ?)",
                (type_name, resource["id"], json.dumps(resource, separators=(",", ":"))),
            )

    def delete_resource(self, type_name: str, resource_id: str) -> None:
        with self.transaction():
            self._db.execute(
                "DELETE FROM resources WHERE type = ? AND id = ?", (type_name, resource_id)
            )

    def resources(self, type_name: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT body FROM resources WHERE type = ? ORDER BY rowid", (type_name,)
            ).fetchall()
        return [json.loads(body) for (body,) in rows]

    def put_record(self, kind: str, key: str, body: dict[str, Any]) -> None:
        with self.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO records (kind, key, body) VALUES (?, ?, ?)",
                (kind, key, json.dumps(body, separators=(",", ":"))),
            )

    def delete_record(self, kind: str, key: str) -> None:
        with self.transaction():
            self._db.execute("DELETE FROM records WHERE kind = ? AND key = ?", (kind, key))

    def records(self, kind: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT body FROM records WHERE kind = ? ORDER BY rowid", (kind,)
            ).fetchall()
        return [json.loads(body) for (body,) in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()
