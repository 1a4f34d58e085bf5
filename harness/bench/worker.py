"""``python -m harness.bench.worker SCENARIO JSON-ARGS``: one scenario, figures as JSON on stdout."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from harness.bench.scenarios import cycles
from harness.bench.throughput import entra_mix

SCENARIOS: dict[str, Callable[..., dict[str, Any]]] = {
    "cycles": cycles,
    "throughput": entra_mix,
}


def main() -> None:
    name, arguments = sys.argv[1], json.loads(sys.argv[2])
    print(json.dumps(SCENARIOS[name](**arguments)))


if __name__ == "__main__":
    main()
