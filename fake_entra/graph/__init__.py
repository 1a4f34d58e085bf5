"""Fake Entra's Microsoft Graph face: the subset of Graph v1.0 (and /beta) the LinkedIn
Elevate tutorial touches, over the tenant and its provisioning engine.

``create_app(GraphService(tenant, GraphSettings(token=...)))`` is an ASGI app; ``serve``
runs it under uvicorn. The modules hold one idea each: ``errors`` (the OData error),
``odata`` (query options), ``bodies`` (request bodies), ``durations``, ``directory_objects``,
``applications``, ``synchronization``, ``schema``, ``on_demand``, ``provisioning_logs``,
``directory_audits`` (the audit log), ``service`` (the domain behind the routes), ``app``
(the routes), ``serve`` (uvicorn).
"""

from fake_entra.graph.app import ADMIN_PREFIX, GraphApp, create_app
from fake_entra.graph.errors import GraphError
from fake_entra.graph.serve import serve
from fake_entra.graph.service import GraphService
from fake_entra.graph.settings import GraphSettings

__all__ = [
    "ADMIN_PREFIX",
    "GraphApp",
    "GraphError",
    "GraphService",
    "GraphSettings",
    "create_app",
    "serve",
]
