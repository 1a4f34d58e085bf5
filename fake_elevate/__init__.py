"""Fake LinkedIn Elevate: Account Center and the SCIM 2.0 service provider."""
