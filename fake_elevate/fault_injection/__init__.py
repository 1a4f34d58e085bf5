"""How Fake Elevate deviates on purpose: the fault profiles and the middleware that runs them.

``exchange`` is a SCIM exchange as a profile sees it, ``fault`` what a profile is (its
options and base class), ``middleware`` the ASGI middleware applying profiles in order;
the profiles come in four families: ``dialect`` (Entra's PATCH dialects refused),
``query_encoding`` (Entra's form-encoded queries misread), ``semantics`` (answers that
bend RFC 7644's semantics) and ``availability`` (rate limits, errors, delays, a revoked
token). The registry by name is :mod:`fake_elevate.faults`.
"""
