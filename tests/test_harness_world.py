"""harness.world: the scenario's world, here where it faces a live SCIM target."""

from __future__ import annotations

import pytest

from fake_entra.clock import VirtualClock
from fake_entra.tenant import Tenant
from harness.network import Network
from harness.recorder import TrafficRecorder
from harness.target import ScimTarget
from harness.world import World


def live_world(token: str | None) -> World:
    clock = VirtualClock()
    recorder = TrafficRecorder(clock)
    target = ScimTarget("https://scim.example.test/scim", Network(), recorder, clock, token=token)
    tenant = Tenant(0, clock=clock, scim_transport=target.transport)
    return World(clock=clock, tenant=tenant, target=target, recorder=recorder)


def test_the_admin_pastes_the_live_targets_secret_token() -> None:
    assert live_world("live-secret-token").target_token() == "live-secret-token"


def test_a_live_target_without_its_token_is_said_to_be_so() -> None:
    with pytest.raises(RuntimeError, match="was set up without its Secret Token"):
        live_world(None).target_token()
