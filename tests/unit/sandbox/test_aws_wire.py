"""The strict sandbox reads which AWS operation a request calls, in either protocol."""

from __future__ import annotations

import io
import json
from urllib.parse import urlencode
from wsgiref.types import WSGIEnvironment

from controller.sandbox._aws_wire import read_call, service_model, unflatten

AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261202/eu-west-1/{service}/aws4_request, "
    "SignedHeaders=host, Signature=0"
)


def environ(service: str, body: bytes, **headers: str) -> WSGIEnvironment:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "HTTP_AUTHORIZATION": AUTHORIZATION.format(service=service),
        **headers,
    }


class TestQueryProtocol:
    def test_flattened_lists_of_structures_fold_back_into_the_input(self) -> None:
        shape = service_model("iam").operation_model("TagRole").input_shape
        flat = {
            "RoleName": "r",
            "Tags.member.1.Key": "a",
            "Tags.member.1.Value": "1",
            "Tags.member.2.Key": "b",
            "Tags.member.2.Value": "2",
        }

        assert unflatten(shape, flat) == {
            "RoleName": "r",
            "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}],
        }

    def test_numbers_and_booleans_get_their_types_back(self) -> None:
        shape = service_model("iam").operation_model("GetAccountAuthorizationDetails").input_shape

        assert unflatten(shape, {"MaxItems": "5", "Filter.member.1": "Role"}) == {
            "MaxItems": 5,
            "Filter": ["Role"],
        }

    def test_an_empty_list_is_sent_as_an_empty_value(self) -> None:
        shape = service_model("iam").operation_model("UntagRole").input_shape

        assert unflatten(shape, {"RoleName": "r", "TagKeys": ""}) == {
            "RoleName": "r",
            "TagKeys": [],
        }

    def test_the_service_comes_from_the_credential_scope_and_the_body_stays_readable(
        self,
    ) -> None:
        body = urlencode({"Action": "GetRole", "Version": "2010-05-08", "RoleName": "r"}).encode()
        request = environ(
            "iam", body, CONTENT_TYPE="application/x-www-form-urlencoded; charset=utf-8"
        )

        call = read_call(request)

        assert call is not None
        assert (call.service, call.name, call.params, call.region) == (
            "iam",
            "GetRole",
            {"RoleName": "r"},
            "eu-west-1",
        )
        assert request["wsgi.input"].read() == body


class TestJsonProtocol:
    def test_the_service_comes_from_the_target_prefix(self) -> None:
        body = json.dumps({"SecretId": "s"}).encode()
        request = environ("secretsmanager", body, HTTP_X_AMZ_TARGET="secretsmanager.DescribeSecret")

        call = read_call(request)

        assert call is not None
        assert (call.service, call.name, call.params) == (
            "secretsmanager",
            "DescribeSecret",
            {"SecretId": "s"},
        )
        assert request["wsgi.input"].read() == body


class TestOtherRequests:
    def test_an_unsigned_request_is_no_aws_call(self) -> None:
        request = environ("iam", b"")
        del request["HTTP_AUTHORIZATION"]

        assert read_call(request) is None

    def test_a_service_the_product_does_not_use_is_left_alone(self) -> None:
        request = environ("s3", b"")

        assert read_call(request) is None

    def test_an_operation_the_model_does_not_know_is_left_to_moto(self) -> None:
        request = environ("ecs", b"{}", HTTP_X_AMZ_TARGET="AmazonEC2ContainerServiceV20141113.Nope")

        assert read_call(request) is None
