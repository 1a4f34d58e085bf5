"""The HTTP face of Fake Elevate: the pieces :func:`fake_elevate.app.create_app` assembles.

``json_body`` reads and writes JSON bodies, ``request`` and ``reply`` are what a handler
reads and returns, ``resources`` answers the SCIM resource routes, ``discovery`` the
discovery endpoints, ``account_center_api`` the admin API, and ``asgi`` dispatches the
resource routes without FastAPI's router.
"""
