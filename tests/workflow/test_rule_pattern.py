"""The rule pattern, as the template deploys it, against realistic S3 "Object Created" events:
keys with spaces, '+', '=', percent signs and non-ASCII characters, raw and URL-encoded (whether
EventBridge encodes S3 keys is unconfirmed: both must work)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote_plus

import pytest
from moto.events.models import EventPattern

from sandbox import Sandbox
from tests.workflow.flow import BUCKET, s3_event

pytestmark = pytest.mark.workflow
REPO = Path(__file__).resolve().parents[2]

MATCHING_KEYS = [
    "incoming/nova-micro-demo/manifest.json",
    "incoming/my model/manifest.json",
    "incoming/my+model/manifest.json",
    "incoming/a=b/manifest.json",
    "incoming/modèle-ü/manifest.json",
    "incoming/模型/manifest.json",
    "incoming/my%20model/manifest.json",
    "incoming/deep/er/manifest.json",  # matches; ValidateArtifacts rejects it (one folder deep only)
]
NON_MATCHING_KEYS = [
    "incoming/manifest.json",
    "incoming/model/Manifest.json",
    "incoming/model/manifest.json.bak",
    "incoming/model/checkpoint/weights.bin",
    "outgoing/model/manifest.json",
    "Incoming/model/manifest.json",
    "model/incoming/x/manifest.json",
]


@pytest.fixture(scope="module")
def rule() -> EventPattern:
    """The deployed rule's pattern (the template, through the SAM transform and moto's EventBridge)."""
    with Sandbox(REPO):
        from moto.events.models import events_backends

        [deployed] = events_backends["123456789012"]["us-east-1"].event_buses["default"].rules.values()
        pattern = deployed.event_pattern.dump()
    return EventPattern.load(pattern)


def test_deployed_pattern_is_the_templates(rule: EventPattern) -> None:
    assert json.loads(rule.dump()) == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [BUCKET]}, "object": {"key": [{"wildcard": "incoming/*/manifest.json"}]}},
    }


@pytest.mark.parametrize("key", MATCHING_KEYS)
@pytest.mark.parametrize("encoding", ["raw", "url"])
def test_rule_matches_trigger_keys_however_s3_spells_them(rule: EventPattern, key: str, encoding: str) -> None:
    spelled = quote_plus(key, safe="/") if encoding == "url" else key
    assert rule.matches_event(s3_event(spelled))


@pytest.mark.parametrize("key", NON_MATCHING_KEYS)
def test_rule_ignores_other_keys(rule: EventPattern, key: str) -> None:
    assert not rule.matches_event(s3_event(key))


def test_rule_ignores_other_buckets_sources_and_event_types(rule: EventPattern) -> None:
    assert not rule.matches_event(s3_event("incoming/model/manifest.json", bucket="model-import-other"))
    assert not rule.matches_event(s3_event("incoming/model/manifest.json", detail_type="Object Deleted"))
    assert not rule.matches_event({**s3_event("incoming/model/manifest.json"), "source": "custom.s3"})
