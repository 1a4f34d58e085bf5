"""The tutorial's features (features/*.feature), run by pytest-bdd with provisim's step library.

The step library and fixtures come from the ``provisim`` pytest plugin (the pytest11 entry
point); ``pytest_plugins`` loads it here too for a source checkout whose entry point isn't
installed, and is a no-op when it is.
"""

from pytest_bdd import scenarios

pytest_plugins = ["harness.plugin"]

scenarios("../features")
