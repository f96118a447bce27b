"""Everything the stack stores is encrypted, kept for a bounded time, and reached over TLS only;
the bucket is private and versioned; upload events that cannot start the workflow are kept."""

from __future__ import annotations

import re
from fnmatch import fnmatch
from typing import Any

import pytest

from tests.template.policies import actions, as_list, policy_documents, principal_services, references, resources

#: Every resource type the stack deploys, after the SAM transform. A new type fails this list
#: until its security properties are checked below.
KNOWN_TYPES = {
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
    "AWS::DynamoDB::Table",
    "AWS::SQS::Queue",
    "AWS::SQS::QueuePolicy",
    "AWS::SNS::Topic",
    "AWS::SNS::TopicPolicy",
    "AWS::SNS::Subscription",
    "AWS::KMS::Key",
    "AWS::IAM::Role",
    "AWS::IAM::RolePolicy",
    "AWS::Lambda::Function",
    "AWS::Lambda::LayerVersion",
    "AWS::Logs::LogGroup",
    "AWS::StepFunctions::StateMachine",
    "AWS::Events::Rule",
    "AWS::CloudWatch::Alarm",
    "AWS::CloudWatch::Dashboard",  # holds no data: test_dashboard.py checks it shows only this stack's metrics
}

STACK = "my-stack"
PSEUDO = {
    "AWS::Partition": "aws",
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::StackName": STACK,
}


def _of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def _props(resource: dict[str, Any]) -> dict[str, Any]:
    return resource.get("Properties", {})


def _key_statements(template: dict[str, Any], key_ref: Any) -> list[dict[str, Any]]:
    (key,) = references(key_ref)
    assert template["Resources"][key]["Type"] == "AWS::KMS::Key", f"{key_ref} is not a key of this stack"
    return as_list(template["Resources"][key]["Properties"]["KeyPolicy"]["Statement"])


def _key_allows_service(template, key_ref, service: str, needed: set[str]) -> bool:
    for statement in _key_statements(template, key_ref):
        if statement["Effect"] == "Allow" and service in {_sub(p) for p in principal_services(statement)}:
            granted = actions(statement)
            if all(any(fnmatch(a, g) for g in granted) for a in needed):
                return True
    return False


def _sub(value: Any, extra: dict[str, str] | None = None) -> str:
    text = value["Fn::Sub"] if isinstance(value, dict) else value
    names = {**PSEUDO, **(extra or {})}
    return re.sub(r"\$\{([^}]+)\}", lambda m: names[m.group(1)], text)


def test_the_stack_deploys_only_resource_types_whose_security_is_checked(transformed):
    unknown = {r["Type"] for r in transformed["Resources"].values()} - KNOWN_TYPES
    assert not unknown, f"add security checks for {sorted(unknown)} in tests/template, then list them in KNOWN_TYPES"


def test_buckets_are_encrypted_versioned_private_and_owner_enforced(transformed):
    buckets = _of_type(transformed, "AWS::S3::Bucket")
    assert buckets
    for name, bucket in buckets.items():
        props = _props(bucket)
        (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms", "aws:kms:dsse"), name
        assert props["VersioningConfiguration"]["Status"] == "Enabled", name
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }, name
        assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}], name
        assert bucket.get("DeletionPolicy") == "Retain", f"{name}: deleting the stack must not delete model artifacts"


def test_topics_are_encrypted_with_a_key_alarms_can_use(transformed):
    topics = _of_type(transformed, "AWS::SNS::Topic")
    assert topics
    for name, topic in topics.items():
        key = _props(topic).get("KmsMasterKeyId")
        assert key, f"{name} is not encrypted"
        alarms_publish = any(
            name in references(action)
            for a in _of_type(transformed, "AWS::CloudWatch::Alarm").values()
            for action in _props(a)["AlarmActions"]
        )
        if alarms_publish:
            assert _key_allows_service(
                transformed, key, "cloudwatch.amazonaws.com", {"kms:Decrypt", "kms:GenerateDataKey"}
            ), f"{name}: CloudWatch alarms cannot publish to a topic whose key they may not use"


def test_queues_are_encrypted(transformed):
    queues = _of_type(transformed, "AWS::SQS::Queue")
    assert queues
    for name, queue in queues.items():
        props = _props(queue)
        assert props.get("KmsMasterKeyId") or props.get("SqsManagedSseEnabled") is True, f"{name} is not encrypted"


def test_tables_are_encrypted_and_recoverable(transformed):
    tables = _of_type(transformed, "AWS::DynamoDB::Table")
    assert tables
    for name, table in tables.items():
        props = _props(table)
        assert props["SSESpecification"]["SSEEnabled"] is True, name
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True, name


def test_keys_rotate(transformed):
    for name, key in _of_type(transformed, "AWS::KMS::Key").items():
        assert _props(key).get("EnableKeyRotation") is True, name


def test_log_groups_have_a_retention_and_a_key(transformed):
    groups = _of_type(transformed, "AWS::Logs::LogGroup")
    assert len(groups) == 8
    for name, group in groups.items():
        props = _props(group)
        assert props.get("RetentionInDays") == {"Ref": "LogRetentionDays"}, f"{name} keeps logs forever"
        assert props.get("KmsKeyId"), f"{name} is not encrypted with the stack's key"


def _log_group_name(name: str, group: dict[str, Any]) -> str:
    """The name CloudFormation gives the group: its LogGroupName, or <stack>-<logical id>-<suffix>."""
    if "LogGroupName" in _props(group):
        return _sub(_props(group)["LogGroupName"])
    return f"{STACK}-{name}-AbCdEf123456"


def test_the_key_lets_cloudwatch_logs_encrypt_exactly_the_stacks_log_groups(transformed):
    """Without this the stack fails to create its log groups; with a looser condition any log
    group of the account could use the key."""
    groups = _of_type(transformed, "AWS::Logs::LogGroup")
    for name, group in groups.items():
        key = _props(group)["KmsKeyId"]
        arn = f"arn:aws:logs:us-east-1:123456789012:log-group:{_log_group_name(name, group)}"
        allowed = False
        for statement in _key_statements(transformed, key):
            if "logs.us-east-1.amazonaws.com" not in {_sub(s) for s in principal_services(statement)}:
                continue
            patterns = as_list(statement["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"])
            allowed = any(fnmatch(arn, _sub(p)) for p in patterns)
            assert not any(
                fnmatch("arn:aws:logs:us-east-1:123456789012:log-group:other-stack-Group-X", _sub(p)) for p in patterns
            )
        assert allowed, f"the key does not let CloudWatch Logs encrypt {name} ({arn})"


def test_every_function_logs_to_its_own_group_of_this_stack(transformed):
    groups = _of_type(transformed, "AWS::Logs::LogGroup")
    targets = []
    for name, function in _of_type(transformed, "AWS::Lambda::Function").items():
        (group,) = references(_props(function)["LoggingConfig"]["LogGroup"])
        assert group in groups, f"{name} logs to a group the stack does not create (no retention, no key)"
        targets.append(group)
    assert len(targets) == len(set(targets)) == 7


def test_state_machine_logs_errors_without_execution_data_and_traces(transformed):
    for name, machine in _of_type(transformed, "AWS::StepFunctions::StateMachine").items():
        logging = _props(machine)["LoggingConfiguration"]
        assert logging["IncludeExecutionData"] is False, f"{name} would copy every input and output into its logs"
        assert logging["Level"] in ("ERROR", "FATAL", "ALL")
        (destination,) = logging["Destinations"]
        assert references(destination["CloudWatchLogsLogGroup"]["LogGroupArn"]) == {"StateMachineLogGroup"}
        assert _props(machine)["TracingConfiguration"]["Enabled"] is True


@pytest.mark.parametrize(
    ("policy_type", "target_property"),
    [("AWS::S3::BucketPolicy", "Bucket"), ("AWS::SQS::QueuePolicy", "Queues"), ("AWS::SNS::TopicPolicy", "Topics")],
)
def test_every_resource_policy_refuses_requests_without_tls(transformed, policy_type, target_property):
    policies = _of_type(transformed, policy_type)
    assert policies
    for name, policy in policies.items():
        denials = [
            s
            for s in as_list(_props(policy)["PolicyDocument"]["Statement"])
            if s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
        ]
        assert len(denials) == 1, f"{name} has no TLS-only statement"
        (deny,) = denials
        assert deny["Principal"] == "*"
        targets = set().union(*(references(t) for t in as_list(_props(policy)[target_property])))
        assert targets <= set().union(*(references(r) for r in resources(deny))), name


def test_the_bucket_policy_denies_plain_http_on_the_bucket_and_its_objects(transformed):
    deny = _props(transformed["Resources"]["ArtifactBucketPolicy"])["PolicyDocument"]["Statement"][0]
    assert deny["Action"] == "s3:*"
    assert deny["Resource"] == [{"Fn::GetAtt": ["ArtifactBucket", "Arn"]}, {"Fn::Sub": "${ArtifactBucket.Arn}/*"}]


@pytest.mark.parametrize("rule_name", ["ModelImportStateMachineArtifactUploaded", "ModelPackageApprovedRule"])
def test_trigger_events_are_retried_then_kept_in_an_encrypted_dead_letter_queue(transformed, rule_name):
    rules = _of_type(transformed, "AWS::Events::Rule")
    assert set(rules) == {"ModelImportStateMachineArtifactUploaded", "ModelPackageApprovedRule"}
    rule = rules[rule_name]
    (target,) = _props(rule)["Targets"]
    retry = target["RetryPolicy"]
    assert 0 < retry["MaximumRetryAttempts"] <= 185 and 60 <= retry["MaximumEventAgeInSeconds"] <= 86400
    (queue,) = references(target["DeadLetterConfig"]["Arn"])
    queue_props = _props(transformed["Resources"][queue])
    assert queue_props["KmsMasterKeyId"], "the dead-letter queue is not encrypted"
    assert queue_props["MessageRetentionPeriod"] == 1209600, "keep dead letters the 14 days SQS allows"
    assert _key_allows_service(
        transformed, queue_props["KmsMasterKeyId"], "events.amazonaws.com", {"kms:Decrypt", "kms:GenerateDataKey"}
    ), "EventBridge cannot send to a queue whose key it may not use: the events would be lost"
    (policy,) = [
        p for p in _of_type(transformed, "AWS::SQS::QueuePolicy").values() if queue in references(_props(p)["Queues"])
    ]
    (allow,) = [s for s in _props(policy)["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "events.amazonaws.com"} and allow["Action"] == "sqs:SendMessage"
    # Both rules may send (the second exists only with ModelPackageGroupNames), and nothing else.
    assert rule_name in references(allow["Condition"]["ArnEquals"]["aws:SourceArn"])
    assert references(allow["Condition"]["ArnEquals"]["aws:SourceArn"]) <= set(rules) | {"HasModelPackageGroups"}


def test_dead_letters_raise_an_alarm(transformed):
    alarms = _of_type(transformed, "AWS::CloudWatch::Alarm").values()
    watched = {
        q
        for a in alarms
        if _props(a)["Namespace"] == "AWS/SQS" and _props(a)["MetricName"] == "ApproximateNumberOfMessagesVisible"
        for d in _props(a)["Dimensions"]
        for q in references(d["Value"])
    }
    assert set(_of_type(transformed, "AWS::SQS::Queue")) <= watched


def test_no_policy_document_lists_an_unknown_effect(transformed):
    for doc in policy_documents(transformed):
        assert doc.document.get("Version") in (None, "2012-10-17"), doc.owner
        for statement in doc.statements:
            assert statement["Effect"] in ("Allow", "Deny"), doc.owner
