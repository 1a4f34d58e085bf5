"""JSON Schemas (Draft 2020-12) for Fake Entra's Microsoft Graph responses, each written from
the Graph reference page it names in its ``description`` (microsoftgraph/microsoft-graph-
docs-contrib, ``api-reference/v1.0``).

:func:`graph_violations` checks a body against one of them by name
(``"synchronization-job"``); :func:`collection_violations` checks a collection's envelope and
every item of its ``value``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

BASE = "https://provisim.dev/schemas/graph/"


@cache
def _documents() -> dict[str, dict[str, Any]]:
    documents: dict[str, dict[str, Any]] = {}
    for entry in files(__name__).iterdir():
        if entry.name.endswith(".schema.json"):
            documents[entry.name.removesuffix(".schema.json")] = json.loads(
                entry.read_text(encoding="utf-8")
            )
    return documents


def graph_schema_names() -> list[str]:
    return sorted(_documents())


@cache
def _validator(name: str) -> Draft202012Validator:
    documents = _documents()
    if name not in documents:
        raise KeyError(f"no Graph schema named {name!r}; choose one of {graph_schema_names()}")
    registry: Registry[Any] = Registry().with_resources(
        (document["$id"], Resource.from_contents(document)) for document in documents.values()
    )
    return Draft202012Validator(
        documents[name],
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def graph_violations(name: str, body: Any) -> list[str]:
    """Every way ``body`` breaks the schema ``name``, as ``/json/pointer: message`` lines."""
    return [
        f"/{'/'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in _validator(name).iter_errors(body)
    ]


def collection_violations(item_name: str, body: Any) -> list[str]:
    """The collection envelope, then each ``value[i]`` against ``item_name``."""
    problems = graph_violations("collection", body)
    if isinstance(body, dict) and isinstance(body.get("value"), list):
        for index, item in enumerate(body["value"]):
            problems.extend(f"/value/{index}{p}" for p in graph_violations(item_name, item))
    return problems
