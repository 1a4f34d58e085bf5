"""The tutorial in Gherkin. Installed as the package ``harness.features`` (pyproject.toml maps
this directory there), so ``provisim run`` finds the features through importlib.resources from
any directory, and an editable install runs these files in place."""
