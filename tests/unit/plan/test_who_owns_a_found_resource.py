"""Whether a found resource is ours, may be adopted, or belongs to another controller:
decided from its ``managed-by`` tag alone."""

from __future__ import annotations

from controller.plan._desired import MANAGED_BY, claim

ME = "payments-prod"


class TestAFoundResource:
    def test_ours_is_updated_with_or_without_adopt(self) -> None:
        assert claim("secret s", {MANAGED_BY: ME}, ME, adopt=False).action == "update"
        assert claim("secret s", {MANAGED_BY: ME}, ME, adopt=True).action == "update"

    def test_an_untagged_one_is_adopted_only_when_the_object_says_so(self) -> None:
        assert claim("secret s", {"team": "x"}, ME, adopt=True).action == "adopt"
        refused = claim("secret s", {"team": "x"}, ME, adopt=False)
        assert (refused.action, refused.reason) == ("refuse", "ResourceNotOwned")
        assert "adopt: true" in refused.message

    def test_an_empty_managed_by_tag_counts_as_none(self) -> None:
        assert claim("role r", {MANAGED_BY: ""}, ME, adopt=True).action == "adopt"

    def test_another_controllers_is_refused_even_with_adopt(self) -> None:
        for adopt in (False, True):
            refused = claim("role r", {MANAGED_BY: "default"}, ME, adopt=adopt)
            assert (refused.action, refused.reason) == ("refuse", "OwnedByOtherController")
            assert "'default'" in refused.message
            assert refused.message.startswith("role r ")
