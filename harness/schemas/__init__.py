"""JSON Schemas (Draft 2020-12) for every SCIM payload provisim sees on the wire.

A package only so that `importlib.resources` finds the `*.json` files in an installed
provisim as well as in a checkout; `harness.validation` loads and compiles them.
"""
