"""What the Provisioning overview shows from a Graph synchronizationJob: the progress bar,
the statistics to date and the quarantine with its reason (fake_entra.portal.monitoring)."""

from __future__ import annotations

from typing import Any

from fake_entra.portal.context import field_of
from fake_entra.portal.monitoring import cycle_view


def job(**status: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "code": "NotRun",
        "lastExecution": None,
        "progress": [],
        "quarantine": None,
        "synchronizedEntryCountByType": [],
    }
    return {"schedule": {"state": "Active"}, "status": {**base, **status}}


def test_a_job_that_never_ran_shows_nothing_done() -> None:
    view = cycle_view(job())
    assert (view["percent"], view["cycle"], view["users"]) == (0, "Not started.", 0)


def test_progress_is_the_last_observation_of_completed_units() -> None:
    view = cycle_view(
        job(
            code="Active",
            lastExecution={"state": "Succeeded", "countExported": 3},
            progress=[{"completedUnits": 1, "totalUnits": 4}],
            synchronizedEntryCountByType=[
                {"key": "User", "value": 3},
                {"key": "Group", "value": 1},
            ],
        )
    )
    assert view["percent"] == 25 and view["cycle"] == "Initial cycle in progress."
    assert (view["users"], view["groups"], view["exported"]) == (3, 1, 3)


def test_a_quarantined_job_shows_its_reason() -> None:
    quarantine = {"reason": "EncounteredQuarantineException", "error": {"message": "401"}}
    view = cycle_view(
        job(
            code="Quarantine",
            lastExecution={"state": "Failed", "error": {"message": "Unauthorized"}},
            quarantine=quarantine,
        )
    )
    assert view["quarantine"] == quarantine
    assert view["cycle"] == "Last cycle: Failed." and view["error"] == "Unauthorized"


def test_a_refusal_is_shown_beside_the_field_it_names() -> None:
    assert field_of("The Tenant URL must use https") == "tenant_url"
    assert field_of("Enter the Secret Token from LinkedIn's SCIM Setup.") == "secret_token"
    assert field_of("'x' is not a valid email address.") == "notification_email"
    assert field_of("Something else") == "form"
