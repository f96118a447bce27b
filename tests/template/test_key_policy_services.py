"""The stack key's statements for AWS services use only what AWS documents for each path.

A condition AWS does not document for a service's use of a key can make every request fail
silently (the alarm fires, the publish is denied; the event is dropped instead of dead-lettered):
no offline test would notice. So each service statement is held to the documented one, and
template.yaml cites the page.
"""

from __future__ import annotations

from tests.template.loading import template_text
from tests.template.policies import actions, as_list, principal_services
from tests.template.rendering import PSEUDO

#: {service principal: (the actions AWS documents, the condition keys it documents, the page)}.
DOCUMENTED = {
    # CloudWatch alarm actions publishing to a topic encrypted with a customer managed key.
    "cloudwatch.amazonaws.com": (
        {"kms:Decrypt", "kms:GenerateDataKey*"},
        set(),
        "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services",
    ),
    # EventBridge (an SQS event source) sending to a dead-letter queue encrypted with it.
    "events.amazonaws.com": (
        {"kms:Decrypt", "kms:GenerateDataKey"},
        set(),
        "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html#compatibility-with-aws-services",
    ),
    # CloudWatch Logs encrypting log groups, limited to named groups by the encryption context.
    f"logs.{PSEUDO['AWS::Region']}.amazonaws.com": (
        {"kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"},
        {"kms:EncryptionContext:aws:logs:arn"},
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html",
    ),
}


def _service(principal) -> str:
    text = principal["Fn::Sub"] if isinstance(principal, dict) else principal
    for name, value in PSEUDO.items():
        text = text.replace("${" + name + "}", value)
    return text


def _service_statements(transformed):
    for name, resource in transformed["Resources"].items():
        if resource["Type"] != "AWS::KMS::Key":
            continue
        for statement in as_list(resource["Properties"]["KeyPolicy"]["Statement"]):
            services = principal_services(statement)
            if services:
                yield name, statement, [_service(s) for s in services]


def test_each_service_statement_of_the_key_is_the_documented_one(transformed):
    seen = set()
    for key, statement, services in _service_statements(transformed):
        assert len(services) == 1, f"{key} {statement.get('Sid')}: one service per statement, each held to its page"
        (service,) = services
        assert service in DOCUMENTED, f"{key} {statement.get('Sid')}: find AWS's page for {service} and add it here"
        documented_actions, documented_keys, page = DOCUMENTED[service]
        assert statement["Effect"] == "Allow" and statement["Resource"] == "*"
        assert set(actions(statement)) <= documented_actions, (statement.get("Sid"), actions(statement))
        used_keys = {k for block in statement.get("Condition", {}).values() for k in block}
        assert used_keys == documented_keys, (statement.get("Sid"), sorted(used_keys), sorted(documented_keys))
        assert page in template_text(), f"template.yaml does not cite {page} for {statement.get('Sid')}"
        seen.add(service)
    assert seen == set(DOCUMENTED), "the key no longer serves " + ", ".join(sorted(set(DOCUMENTED) - seen))


def test_who_may_use_the_service_grants_is_decided_by_the_topic_and_queue_policies(transformed):
    """Without a condition on the key, the resource policies are what keep other accounts out."""
    resources = transformed["Resources"]
    topic = resources["NotificationTopicPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    (alarms,) = [s for s in topic if s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}]
    assert alarms["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    queue = resources["TriggerDeadLetterQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    (events,) = [s for s in queue if s.get("Principal") == {"Service": "events.amazonaws.com"}]
    assert set(events["Condition"]["ArnEquals"]) == {"aws:SourceArn"}
