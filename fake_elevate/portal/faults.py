"""Fault profiles switched on and off while served (simulator control, not part of LinkedIn).

:class:`SwitchableFaults` is the ASGI app in front of Fake Elevate: with no profile on it
passes every call through; :meth:`SwitchableFaults.switch` rebuilds the one
:class:`~fake_elevate.faults.FaultMiddleware` of the profiles chosen
(:func:`~fake_elevate.faults.with_faults`), so counters start afresh.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

from fake_elevate.faults import FAULT_PROFILES, FaultProfile, with_faults


class SwitchableFaults:
    def __init__(self, app: Any, options: Mapping[str, Any] | None = None) -> None:
        self.app = app
        self.options = dict(options or {})
        self._lock = threading.Lock()
        self._names: tuple[str, ...] = ()
        self._current: Any = app

    @property
    def profiles(self) -> dict[str, FaultProfile]:
        return dict(FAULT_PROFILES)

    @property
    def active(self) -> tuple[str, ...]:
        return self._names

    def switch(self, names: Sequence[str]) -> None:
        """Only these profiles on (ValueError for an unknown name, as ``with_faults``)."""
        chosen = tuple(dict.fromkeys(names))
        wrapped = with_faults(self.app, *chosen, **self.options) if chosen else self.app
        with self._lock:
            self._names, self._current = chosen, wrapped

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self._current(scope, receive, send)
