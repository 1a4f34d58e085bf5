"""schemathesis against Fake Elevate's own OpenAPI document (SCIM and Account Center).

Property: whatever the generated request, the server never answers 5xx, and
every 4xx carries a SCIM Error body whose status matches the HTTP status.
"""

from __future__ import annotations

import json

import schemathesis
from hypothesis import HealthCheck, settings

from fake_elevate.elevate import FakeElevate

TOKEN = "schemathesis-token-0123456789abcdef"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"

elevate = FakeElevate(seed=5, admin_key=TOKEN)
elevate.quick_setup(seats=10, token=TOKEN)
schema = schemathesis.openapi.from_asgi("/openapi.json", elevate.asgi_app())


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_5xx_and_every_4xx_is_scim_error_json(case: schemathesis.Case) -> None:
    response = case.call(headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code < 500, (case.method, case.formatted_path, response.text)
    if 400 <= response.status_code < 500:
        body = json.loads(response.text)
        assert body["schemas"] == [ERROR], response.text
        assert body["status"] == str(response.status_code), response.text
        assert isinstance(body["detail"], str) and body["detail"]
