"""The glue: SCIM transport, traffic recorder, JSON Schemas, pytest plugin, reports and the provisim CLI."""
