"""The strict sandbox validates input against the service models as AWS does."""

from __future__ import annotations

from typing import Any

from controller.sandbox._aws_shapes import Violation, java_pattern, message, validate
from controller.sandbox._aws_wire import service_model

TAG_PATTERN = r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*"


def violations(service: str, operation: str, params: dict[str, Any]) -> list[str]:
    shape = service_model(service).operation_model(operation).input_shape
    return [violation.sentence() for violation in validate(shape, params)]


def create_role(**extra: Any) -> dict[str, Any]:
    return {"RoleName": "ecs-oauth-orders", "AssumeRolePolicyDocument": "{}", **extra}


class TestPatterns:
    def test_an_iam_tag_value_with_an_exclamation_mark_breaks_the_tag_pattern(self) -> None:
        found = violations("iam", "CreateRole", create_role(Tags=[{"Key": "k", "Value": "hi!"}]))

        assert found == [
            "Value 'hi!' at 'tags.1.member.value' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {TAG_PATTERN}"
        ]

    def test_letters_of_any_script_spaces_and_the_listed_symbols_are_valid_tag_values(
        self,
    ) -> None:
        tags = [{"Key": "scopes", "Value": "orders/read orders:write é中 +=@-_."}]

        assert violations("iam", "CreateRole", create_role(Tags=tags)) == []

    def test_a_cognito_resource_server_name_may_not_be_a_url(self) -> None:
        params = {"UserPoolId": "us-east-1_abc", "Identifier": "orders", "Name": "https://a.b"}

        [found] = violations("cognito-idp", "CreateResourceServer", params)

        assert found.startswith("Value 'https://a.b' at 'name' failed to satisfy constraint")

    def test_a_pattern_must_match_the_whole_value_not_a_part_of_it(self) -> None:
        assert java_pattern(r"[a-z]+").fullmatch("abc1") is None

    def test_java_surrogate_pairs_become_characters_beyond_the_basic_plane(self) -> None:
        pattern = java_pattern(r"[\u0020-\uD7FF\uD800\uDC00-\uDBFF\uDFFF]*")

        assert pattern.fullmatch("emoji \U0001f600") is not None


class TestRequiredLengthsRangesAndEnums:
    def test_a_missing_required_member_is_null(self) -> None:
        assert violations("iam", "CreateRole", {"RoleName": "r"}) == [
            "Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: "
            "Member must not be null"
        ]

    def test_a_string_longer_than_its_max_is_rejected(self) -> None:
        [found] = violations("iam", "CreateRole", create_role(RoleName="r" * 65))

        assert found.endswith("Member must have length less than or equal to 64")

    def test_a_list_longer_than_its_max_is_rejected(self) -> None:
        tags = [{"Key": f"k{n}", "Value": "v"} for n in range(51)]

        [found] = violations("iam", "CreateRole", create_role(Tags=tags))

        assert "at 'tags'" in found
        assert found.endswith("Member must have length less than or equal to 50")

    def test_a_number_out_of_range_is_rejected(self) -> None:
        [found] = violations("iam", "CreateRole", create_role(MaxSessionDuration=60))

        assert found == (
            "Value '60' at 'maxSessionDuration' failed to satisfy constraint: "
            "Member must have value greater than or equal to 3600"
        )

    def test_a_value_outside_the_enum_is_rejected_with_the_allowed_set(self) -> None:
        params = {"Filters": [{"Key": "colour", "Values": ["x"]}]}

        [found] = violations("secretsmanager", "ListSecrets", params)

        assert found.startswith("Value 'colour' at 'filters.1.member.key'")
        assert "Member must satisfy enum value set: [description, name, tag-key" in found

    def test_nested_members_of_list_items_are_checked(self) -> None:
        containers = [{"name": "app", "secrets": [{"name": "S"}]}]
        params = {"family": "orders", "containerDefinitions": containers}

        assert violations("ecs", "RegisterTaskDefinition", params) == [
            "Value null at 'containerDefinitions.1.member.secrets.1.member.valueFrom' "
            "failed to satisfy constraint: Member must not be null"
        ]


class TestMessages:
    def test_one_violation_reads_as_aws_words_it(self) -> None:
        violation = Violation("roleName", "a b", "Member must not be null")

        assert message([violation]) == (
            "1 validation error detected: Value 'a b' at 'roleName' failed to satisfy "
            "constraint: Member must not be null"
        )

    def test_several_violations_are_counted_and_joined_with_semicolons(self) -> None:
        first = Violation("a", None, "Member must not be null")
        second = Violation("b", ["x", "y"], "Member must have length less than or equal to 1")

        assert message([first, second]) == (
            "2 validation errors detected: Value null at 'a' failed to satisfy constraint: "
            "Member must not be null; Value '[x, y]' at 'b' failed to satisfy constraint: "
            "Member must have length less than or equal to 1"
        )

    def test_a_sensitive_value_is_never_repeated(self) -> None:
        params = {"SecretId": "s", "SecretString": "x" * 70000}

        [found] = violations("secretsmanager", "PutSecretValue", params)

        assert found == (
            "Value at 'secretString' failed to satisfy constraint: "
            "Member must have length less than or equal to 65536"
        )
