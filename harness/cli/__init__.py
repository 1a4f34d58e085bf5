"""The ``provisim`` command line: one module per command, :mod:`harness.cli.root` the app.

Each module only parses its arguments and delegates to the tool it runs (``harness.bench``,
``harness.conformance``, ``harness.serving``, pytest); heavy modules are imported inside the
commands, so ``provisim --help`` starts fast.
"""

from harness.cli.root import app, main
from harness.cli.run import _REQUIRED_PLUGINS as _REQUIRED_PLUGINS
from harness.cli.run import _WORKER_PLUGIN as _WORKER_PLUGIN
from harness.cli.run import packaged_features

__all__ = ["app", "main", "packaged_features"]
