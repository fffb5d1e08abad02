"""The IAM side of a task role as plain documents: tags IAM accepts, the trust policy."""

from __future__ import annotations

import regex
from hypothesis import given
from hypothesis import strategies as st

from controller.plan._desired import (
    IAM_TAG_VALUE_LIMIT,
    PROVIDER_TAG,
    SCOPES_TAG,
    decode_tag_value,
    encode_tag_value,
    role_document,
    scope_tags,
    scopes_from_tags,
    trust_policy,
)

# botocore's IAM model, tagValueType.
TAG_VALUE = regex.compile(r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*")
# RFC 6749 scope-token: %x21 / %x23-5B / %x5D-7E
SCOPE_TOKENS = st.text(
    alphabet=st.sampled_from([chr(c) for c in range(0x21, 0x7F) if chr(c) not in '"\\']),
    min_size=1,
    max_size=80,
)
PUNCTUATION = "!#$%&'()*,;<>?[]^`{|}~"


class TestScopeTags:
    def test_every_punctuation_a_scope_token_may_hold_is_encoded(self) -> None:
        scope = f"orders/{PUNCTUATION}+read"

        value = scope_tags("corp", [scope])[SCOPES_TAG]

        assert TAG_VALUE.fullmatch(value)
        assert scopes_from_tags(scope_tags("corp", [scope])) == ("corp", [scope])

    def test_plain_scopes_stay_readable(self) -> None:
        tags = scope_tags("corp", ["orders/read", "https://api.example.com/orders.write"])

        assert tags[SCOPES_TAG] == "orders/read https://api.example.com/orders.write"
        assert tags[PROVIDER_TAG] == "corp"

    def test_the_escape_character_itself_is_encoded(self) -> None:
        assert encode_tag_value("a+b") == "a+2Bb"
        assert decode_tag_value("a+2Bb") == "a+b"

    @given(st.lists(SCOPE_TOKENS, min_size=1, max_size=30, unique=True))
    def test_every_value_matches_iams_pattern_and_decodes_to_the_scopes(
        self, scopes: list[str]
    ) -> None:
        tags = scope_tags("corp", scopes)

        for value in tags.values():
            assert TAG_VALUE.fullmatch(value), value
            assert len(value) <= IAM_TAG_VALUE_LIMIT
        assert scopes_from_tags(tags) == ("corp", scopes)

    @given(st.text(max_size=60))
    def test_any_text_round_trips_through_the_tag_alphabet(self, text: str) -> None:
        encoded = encode_tag_value(text)

        assert TAG_VALUE.fullmatch(encoded)
        assert decode_tag_value(encoded) == text


class TestTrustPolicy:
    def test_only_ecs_tasks_of_this_account_and_region_may_assume_the_role(self) -> None:
        [statement] = trust_policy("123456789012", "eu-west-1")["Statement"]

        assert statement["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
        assert statement["Action"] == "sts:AssumeRole"
        assert statement["Condition"] == {
            "StringEquals": {"aws:SourceAccount": "123456789012"},
            "ArnLike": {"aws:SourceArn": "arn:aws:ecs:eu-west-1:123456789012:*"},
        }

    def test_a_role_document_with_a_region_carries_the_trust_policy(self) -> None:
        document = role_document("123456789012", {}, [], region="eu-west-1")

        assert "aws:SourceArn" in str(document["trustPolicy"])

    def test_a_task_role_document_owns_an_empty_set_of_inline_policies(self) -> None:
        assert role_document("123456789012", {}, [], {})["inlinePolicies"] == {}
