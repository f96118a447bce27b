"""Every malformed input of the corpus is rejected with its reason, and nothing else escapes.

Each case runs through ValidateArtifacts' logic against moto S3 (its objects staged first),
then its rejection goes through PublishResult's logic, and the SNS message a subscriber reads
back must say REJECTED with the same reason.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from model_import.errors import ImportRejected
from model_import.settings import PublishSettings, ValidateSettings
from model_import.publish import publish_result
from model_import.validation import validate
from tests.corpus.cases import CORPUS_ENV, load_cases, stage
from tests.support import execution, s3_event

CASES = load_cases()
#: The EventBridge rule's wildcard incoming/*/manifest.json ('*' also matches '/').
TRIGGER_RULE = re.compile(r"incoming/.*/manifest\.json")
SETTINGS = ValidateSettings.from_env(CORPUS_ENV)


def test_the_corpus_has_at_least_50_cases_covering_every_kind_of_bad_input():
    assert len(CASES) >= 50
    kinds = Counter(case.name.split("-")[0] for case in CASES)
    for kind, least in {
        "input": 5,
        "eventbridge": 5,
        "key": 10,
        "name": 5,
        "trigger": 10,
        "tags": 5,
        "manual": 8,
        "openweights": 30,
        "deploy": 20,
        "smoketest": 10,
    }.items():
        assert kinds[kind] >= least, kind


def test_cases_stage_objects_only_in_their_own_model_folder():
    owners: dict[str, str] = {}
    for case in CASES:
        for obj in case.objects:
            folder = "/".join(obj.key.split("/")[:2])
            assert owners.setdefault(folder, case.name) == case.name, f"{case.name} and {owners[folder]} share {folder}"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_case_is_rejected_with_its_reason_and_notified_as_rejected(case, aws):
    stage(case, aws.s3)
    run = execution(f"corpus-{case.name}")
    try:
        validate(case.input, run["arn"], SETTINGS, aws.s3)
    except ImportRejected as rejected:
        reason = str(rejected)
    else:
        pytest.fail(f"{case.name}: accepted, expected rejection {case.expected}")
    assert case.matches(reason), f"{case.name}: reason {reason!r} does not match {case.expected}"
    assert "Traceback" not in reason and len(reason) < 2000

    cause = json.dumps({"errorMessage": reason, "errorType": "ImportRejected", "stackTrace": []})
    state = {
        "input": case.input,
        "execution": run,
        "error": {"Error": "ImportRejected", "Cause": cause},
        "outcome": "REJECTED",
    }
    settings = PublishSettings(topic_arn=aws.topic_arn, ledger_table=aws.ledger_table)
    assert publish_result(aws.sns, aws.dynamodb, state, settings)["published"] is True
    [message] = aws.notifications()
    assert message["body"]["outcome"] == "REJECTED"
    assert message["body"]["reason"] == reason
    assert message["attributes"]["outcome"] == "REJECTED"
    assert re.fullmatch(r"Model import REJECTED: [\x20-\x7e]*", message["subject"]) and len(message["subject"]) <= 100


#: A word said twice in a row ("at at"), ignoring case; quoted input is left out (a user's own text may repeat).
DOUBLED_WORD = re.compile(r"\b(\w+)\s+\1\b", re.IGNORECASE)
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def test_no_reason_in_the_corpus_says_a_word_twice_in_a_row(aws):
    doubled = {}
    for case in CASES:
        stage(case, aws.s3)
        try:
            validate(case.input, execution(f"words-{case.name}")["arn"], SETTINGS, aws.s3)
        except ImportRejected as rejected:
            found = DOUBLED_WORD.search(QUOTED.sub("'...'", str(rejected)))
            if found:
                doubled[case.name] = found.group(0)
    assert doubled == {}


def test_the_round_two_classes_are_in_the_corpus_under_their_names():
    classes = Counter(tag for case in CASES for tag in case.tags)
    for name in ("deeply nested JSON", "reserved tag keys", "duplicate keys", "error text"):
        assert classes[name] >= 1, name
    assert classes["attacker"] >= 20


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_every_staged_trigger_file_is_rejected_when_its_own_upload_starts_the_workflow(case, aws):
    """In the workflow each staged trigger-file upload starts an execution of its own: it must be
    rejected too, so that a corpus run ends with no import at all."""
    responses = stage(case, aws.s3)
    for obj, response in zip(case.objects, responses):
        if not TRIGGER_RULE.fullmatch(obj.key):
            continue
        event = s3_event(obj.key, version_id=response.get("VersionId"), sequencer="00" + response["ETag"][1:17])
        with pytest.raises(ImportRejected):
            validate(event, execution(f"upload-{case.name}")["arn"], SETTINGS, aws.s3)
