"""Fake Microsoft Entra ID: tenant, provisioning configuration, mappings and the provisioning engine."""
