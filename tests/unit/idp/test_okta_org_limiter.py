"""One pace per Okta org: calls are spaced evenly at the configured rate, and every
provider on the same org shares the one pace, since Okta counts its limits per org."""

from __future__ import annotations

import asyncio
import itertools
import time

from controller.aws import RateLimits
from controller.config import Settings, engine_settings
from controller.engine import EngineSettings, World
from controller.idp import OrgLimiter


async def test_calls_through_one_org_are_spaced_at_its_rate() -> None:
    limiter = OrgLimiter(per_second=20)
    started = time.monotonic()

    async def one() -> float:
        await limiter.acquire()
        return time.monotonic() - started

    times = sorted(await asyncio.gather(*(one() for _ in range(6))))

    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert all(gap >= 0.05 * 0.9 for gap in gaps), gaps
    assert times[-1] >= 5 * 0.05 * 0.9


async def test_a_limiter_idle_for_a_while_lets_the_next_call_through_at_once() -> None:
    limiter = OrgLimiter(per_second=10)
    await limiter.acquire()
    await asyncio.sleep(0.15)

    started = time.monotonic()
    await limiter.acquire()

    assert time.monotonic() - started < 0.05


def test_providers_on_the_same_org_share_one_pace_and_other_orgs_have_their_own() -> None:
    world = World(EngineSettings(limits=RateLimits(okta_per_org=2.0)))

    first = world.okta_limiter("https://acme.okta.com")
    same = world.okta_limiter("https://ACME.okta.com/")
    other = world.okta_limiter("https://other.okta.com")

    assert first is same
    assert other is not first
    assert first.interval == 0.5


def test_the_setting_reaches_the_engine_and_defaults_to_five_per_second() -> None:
    default = engine_settings(Settings())
    raised = engine_settings(
        Settings.model_validate({"limits": {"oktaRequestsPerSecondPerOrg": 50}})
    )

    assert default.limits.okta_per_org == 5.0
    assert raised.limits.okta_per_org == 50.0
