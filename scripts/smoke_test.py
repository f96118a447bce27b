"""Post-deploy smoke test: prove the deployed stack's whole path on a real account, harmlessly.

    make smoke STACK=<stack-name>            # or: .venv/bin/python scripts/smoke_test.py --stack <name>

With your AWS credentials it reads the stack's outputs, subscribes a temporary SQS queue to the
result topic, and uploads a deliberately invalid trigger file: one naming no source, in a folder
that holds nothing else, so the open-weight folder check finds no config.json and the import is
REJECTED before Bedrock is called (no model is created). It waits for that upload's REJECTED
notification, checks its schema and message attributes, then removes everything it made: the
subscription, the queue and every version of the trigger file. Left behind by design: the
execution's history and a small ledger item (it expires after 7 days). The REJECTED execution
counts as a failed one, so FailedExecutionsAlarm fires once: watch for that alarm's message too.

Exit status: 0 when the notification arrived as specified, 1 when not, 2 for bad usage or a
stack this command cannot use (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any, TextIO

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "layers" / "common"))

from model_import.notification import FIELDS  # noqa: E402 - the schema subscribers rely on, from its one home

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
REQUIRED_OUTPUTS = ("ArtifactBucketName", "NotificationTopicArn", "StateMachineArn")


class SmokeError(Exception):
    """The smoke test cannot run (no such stack, not this application, no credentials)."""


def stack_outputs(cloudformation: Any, stack: str) -> dict[str, str]:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    except ClientError as err:
        raise SmokeError(f"stack {stack!r}: {err.response.get('Error', {}).get('Message', err)}") from None
    except BotoCoreError as err:
        raise SmokeError(f"cannot reach CloudFormation: {err}") from None
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    missing = [name for name in REQUIRED_OUTPUTS if name not in outputs]
    if missing:
        raise SmokeError(f"stack {stack!r} is not a Bedrock model import stack (no outputs {', '.join(missing)})")
    return outputs


def _subscribe(sqs: Any, sns: Any, topic_arn: str, name: str) -> tuple[str, str]:
    """A new queue subscribed to the topic (raw delivery off: the SNS envelope carries the attributes)."""
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
        }],
    }
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(policy)})
    subscription = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, ReturnSubscriptionArn=True)
    return queue_url, subscription["SubscriptionArn"]


def _await_notification(sqs: Any, queue_url: str, trigger_key: str, timeout: float) -> dict[str, Any] | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        wait = int(max(0, min(20, deadline - time.monotonic())))
        received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait)
        for message in received.get("Messages", []):
            envelope = json.loads(message["Body"])
            try:
                body = json.loads(envelope.get("Message", ""))
            except ValueError:
                continue  # an alarm's message, or another text
            if isinstance(body, dict) and (body.get("trigger") or {}).get("key") == trigger_key:
                return {"subject": envelope.get("Subject"), "attributes": envelope.get("MessageAttributes") or {}, "body": body}
    return None


def check_notification(found: dict[str, Any], model_name: str) -> list[str]:
    """What is wrong with the notification, as specified in the README ("The notification")."""
    body, attributes = found["body"], found["attributes"]
    problems = []
    if list(body) != list(FIELDS):
        problems.append(f"the body's fields are {list(body)}, expected {list(FIELDS)}")
    if body.get("outcome") != "REJECTED":
        problems.append(f"outcome is {body.get('outcome')!r}, expected 'REJECTED'")
    if body.get("modelArn") is not None:
        problems.append(f"a model was named ({body.get('modelArn')}): the smoke test must create none")
    if not body.get("reason"):
        problems.append("the REJECTED notification has no reason")
    if (attributes.get("outcome") or {}).get("Value") != "REJECTED":
        problems.append(f"message attribute outcome is {attributes.get('outcome')!r}")
    if (attributes.get("modelName") or {}).get("Value") != model_name:
        problems.append(f"message attribute modelName is {attributes.get('modelName')!r}, expected {model_name!r}")
    if found.get("subject") != f"Model import REJECTED: {model_name}":
        problems.append(f"subject is {found.get('subject')!r}")
    return problems


def _delete_all_versions(s3: Any, bucket: str, key: str) -> None:
    listing = s3.list_object_versions(Bucket=bucket, Prefix=key)
    for entry in listing.get("Versions", []) + listing.get("DeleteMarkers", []):
        if entry["Key"] == key:
            s3.delete_object(Bucket=bucket, Key=key, VersionId=entry["VersionId"])


def run(stack: str, session: Any, out: TextIO, timeout: float = 300.0) -> int:
    cloudformation, s3, sns, sqs = (session.client(name) for name in ("cloudformation", "s3", "sns", "sqs"))
    outputs = stack_outputs(cloudformation, stack)
    bucket, topic_arn = outputs["ArtifactBucketName"], outputs["NotificationTopicArn"]
    # TriggerKeyExample is s3://<bucket>/<IncomingPrefix><model-name>/<TriggerFileName>
    example = outputs.get("TriggerKeyExample", f"s3://{bucket}/incoming/<model-name>/manifest.json")
    prefix, _, trigger_name = example.removeprefix(f"s3://{bucket}/").partition("<model-name>/")
    run_id = uuid.uuid4().hex[:10]
    model_name = f"smoke-test-{run_id}"
    trigger_key = f"{prefix}{model_name}/{trigger_name}"
    queue_url = subscription_arn = None
    try:
        queue_url, subscription_arn = _subscribe(sqs, sns, topic_arn, f"model-import-smoke-{run_id}")
        out.write(f"Subscribed a temporary queue to {topic_arn}\n")
        # No source named: the trigger's own (empty) folder, which the open-weight check refuses: REJECTED.
        s3.put_object(Bucket=bucket, Key=trigger_key, Body=b'{"tags": {"purpose": "smoke-test"}}')
        out.write(f"Uploaded s3://{bucket}/{trigger_key} (invalid on purpose: an empty model folder)\n")
        found = _await_notification(sqs, queue_url, trigger_key, timeout)
        if found is None:
            out.write(f"FAILED: no notification for {trigger_key} within {timeout:.0f} s; look at the state machine's "
                      f"executions: aws stepfunctions list-executions --state-machine-arn {outputs['StateMachineArn']}\n")
            return EXIT_FAILED
        problems = check_notification(found, model_name)
        for problem in problems:
            out.write(f"FAILED: {problem}\n")
        if problems:
            return EXIT_FAILED
        out.write(f"OK: REJECTED notification received, schema and attributes as specified ({found['body']['reason'][:80]}...)\n")
        out.write(
            "The REJECTED execution also counts as failed: FailedExecutionsAlarm should publish its own message to the "
            "topic within ~5 minutes. To test the alarm path alone: aws cloudwatch set-alarm-state --alarm-name "
            "<FailedExecutionsAlarm name> --state-value ALARM --state-reason smoke-test\n"
        )
        return EXIT_OK
    finally:
        if subscription_arn:
            sns.unsubscribe(SubscriptionArn=subscription_arn)
        if queue_url:
            sqs.delete_queue(QueueUrl=queue_url)
        _delete_all_versions(s3, bucket, trigger_key)
        out.write("Cleaned up: subscription, queue and every version of the trigger file removed\n")


def main(argv: list[str] | None = None, session: Any = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    parser = argparse.ArgumentParser(prog="smoke_test", description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True, help="the deployed stack's name")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the notification (default 300)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_USAGE if exit_.code else EXIT_OK
    if not args.stack.strip():
        err.write("smoke_test: error: --stack must name a stack\n")
        return EXIT_USAGE
    if session is None:
        import boto3

        session = boto3.session.Session()
    try:
        if session.get_credentials() is None:
            raise SmokeError("no AWS credentials found (set AWS_PROFILE or run aws configure)")
        return run(args.stack, session, out, args.timeout)
    except SmokeError as error:
        err.write(f"smoke_test: error: {error}\n")
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
