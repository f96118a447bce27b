"""Load template.yaml (CloudFormation short tags understood) and the ASL, and run the SAM
transform offline, as `sam validate` does, so the SAM-generated resources can be checked too.

Run as a script it writes the transformed template as JSON, for checkov:
    python tests/template/loading.py OUT.json
"""

from __future__ import annotations

import copy
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "template.yaml"
STATE_MACHINE_DIR = ROOT / "statemachine"

# The fake account and region the transform resolves pseudo parameters with.
ACCOUNT_ID = "123456789012"
REGION = "us-east-1"

_LOCAL_URI_PROPERTIES = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
    "AWS::Serverless::StateMachine": "DefinitionUri",
}


@cache
def template_text() -> str:
    return TEMPLATE_PATH.read_text(encoding="utf-8")


def load_template() -> Any:
    """template.yaml as cfn-lint reads it: short tags (!Ref, !Sub, ...) in their long form, and
    each node carrying its start_mark (its line in template.yaml)."""
    from cfnlint.decode import cfn_yaml

    return cfn_yaml.loads(template_text(), str(TEMPLATE_PATH))


def plain(node: Any) -> Any:
    """A copy made of plain dicts, lists and strings."""
    return json.loads(json.dumps(node))


def load_asl(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def local_uris(template: dict[str, Any]) -> dict[str, str]:
    """{logical id: local folder or file} of every resource whose code or definition is local."""
    found = {}
    for name, resource in template["Resources"].items():
        prop = _LOCAL_URI_PROPERTIES.get(resource.get("Type"))
        value = (resource.get("Properties") or {}).get(prop) if prop else None
        if isinstance(value, str) and not value.startswith("s3://"):
            found[name] = value
    return found


@contextmanager
def _region() -> Iterator[None]:
    """samtranslator asks a fresh boto3 session for the region (the environment), even when
    the pseudo parameters give it one."""
    saved = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = REGION
    try:
        yield
    finally:
        if saved is None:
            del os.environ["AWS_DEFAULT_REGION"]
        else:
            os.environ["AWS_DEFAULT_REGION"] = saved


class _NoManagedPolicies:
    """The template names no managed policy by name, so the transform needs no IAM call."""

    def load(self) -> dict[str, str]:
        return {}


def transform(template: Any) -> dict[str, Any]:
    """The SAM-transformed template (plain CloudFormation), computed offline."""
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.translator.transform import transform as sam_transform

    fragment = copy.deepcopy(plain(template))
    for name in local_uris(fragment):
        props = fragment["Resources"][name]["Properties"]
        prop = _LOCAL_URI_PROPERTIES[fragment["Resources"][name]["Type"]]
        props[prop] = f"s3://placeholder-bucket/{name}"
    parameters = {"AWS::AccountId": ACCOUNT_ID, "AWS::Region": REGION, "AWS::Partition": "aws"}
    try:
        with _region():
            return sam_transform(fragment, parameters, _NoManagedPolicies())
    except InvalidDocumentException as err:  # pragma: no cover - a broken template
        raise AssertionError("SAM transform failed: " + "; ".join(str(c) for c in err.causes)) from err


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[1])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(transform(load_template()), indent=1, sort_keys=True), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
