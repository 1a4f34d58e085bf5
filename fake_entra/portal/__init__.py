"""Fake Entra's admin center: the portal pages of the LinkedIn Elevate tutorial, as a client
of Fake Entra's Microsoft Graph face (``create_portal(GraphClient(token, app=graph_app))``).

Modules: ``graph_client`` (the portal's only way in), ``context`` (templates, toasts,
unsaved forms), ``app`` (sign-in, enterprise applications, gallery, assignments),
``provisioning`` (the Provisioning page and mappings), ``monitoring`` (cycle status, logs,
on demand), ``simulator`` (controls that are not part of Entra), ``feed`` (the SCIM
exchange stream).
"""

from fake_entra.portal.app import create_portal
from fake_entra.portal.feed import ExchangeFeed, FeedTransport
from fake_entra.portal.graph_client import GraphCallError, GraphClient

__all__ = ["ExchangeFeed", "FeedTransport", "GraphCallError", "GraphClient", "create_portal"]
