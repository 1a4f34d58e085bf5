"""SCIM 2.0 machinery: schemas, filters, paths, PATCH and errors (RFC 7643/7644)."""
