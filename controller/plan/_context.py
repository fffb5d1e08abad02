"""Where a plan or an apply runs: which account, Region, controller and desired state.

Shown first by ``plan``, ``apply`` and ``run``, so nobody reviews a plan for one account
while their credentials point at another.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Context:
    account: str
    region: str
    controller_id: str
    desired: str  # the desired-state path as given

    def as_json(self) -> dict[str, str]:
        return {
            "account": self.account,
            "region": self.region,
            "controllerId": self.controller_id,
            "desired": self.desired,
        }

    @classmethod
    def from_json(cls, document: dict[str, str]) -> Context:
        return cls(
            document["account"], document["region"], document["controllerId"], document["desired"]
        )

    def header(self) -> str:
        return (
            f"Account {self.account}, region {self.region}, controller {self.controller_id}, "
            f"desired state {self.desired}"
        )
