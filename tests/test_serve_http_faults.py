"""sandbox.http_faults names an HTTP request's operation as botocore does, from the service model."""

from __future__ import annotations

import io

import pytest

from sandbox.http_faults import OperationNames


def environ(method: str, path: str, query: str = "", headers: dict[str, str] | None = None, body: bytes = b"",
            content_type: str = "") -> dict[str, object]:
    env: dict[str, object] = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
                              "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": content_type, "wsgi.input": io.BytesIO(body)}
    env.update({"HTTP_" + k.upper().replace("-", "_"): v for k, v in (headers or {}).items()})
    return env


@pytest.mark.parametrize(
    ("backend", "request_environ", "expected"),
    [
        ("bedrock", environ("POST", "/custom-models/create-custom-model"), ("bedrock", "CreateCustomModel")),
        ("bedrock", environ("GET", "/custom-models/my-model"), ("bedrock", "GetCustomModel")),
        ("bedrock", environ("GET", "/custom-models", "sortOrder=Ascending"), ("bedrock", "ListCustomModels")),
        ("bedrock", environ("DELETE", "/custom-models/my-model"), ("bedrock", "DeleteCustomModel")),
        ("s3", environ("PUT", "/bucket/incoming/m/manifest.json"), ("s3", "PutObject")),
        ("s3", environ("PUT", "/bucket/incoming/m/copy.json", headers={"x-amz-copy-source": "/bucket/a"}), ("s3", "CopyObject")),
        ("s3", environ("PUT", "/bucket/k", "partNumber=1&uploadId=u"), ("s3", "UploadPart")),
        ("s3", environ("GET", "/bucket", "list-type=2&prefix=incoming/"), ("s3", "ListObjectsV2")),
        ("sqs", environ("POST", "/", headers={"x-amz-target": "AmazonSQS.ReceiveMessage"}), ("sqs", "ReceiveMessage")),
        ("stepfunctions", environ("POST", "/", headers={"x-amz-target": "AWSStepFunctions.StartExecution"}), ("sfn", "StartExecution")),
        ("sns", environ("POST", "/", body=b"Action=Publish&TopicArn=x", content_type="application/x-www-form-urlencoded"), ("sns", "Publish")),
    ],
)
def test_operation_names_follow_the_service_model(backend: str, request_environ: dict[str, object], expected: tuple[str, str]) -> None:
    assert OperationNames().name(backend, request_environ) == expected


def test_a_form_body_read_for_its_action_is_left_for_the_server() -> None:
    env = environ("POST", "/", body=b"Action=Publish&Message=hi", content_type="application/x-www-form-urlencoded")
    OperationNames().name("sns", env)
    assert env["wsgi.input"].read() == b"Action=Publish&Message=hi"  # type: ignore[attr-defined]
