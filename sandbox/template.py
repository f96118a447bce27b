"""template.yaml -> a CloudFormation template moto can deploy (the SAM transform, offline).

Local paths (CodeUri, ContentUri, DefinitionUri) are swapped for s3:// placeholders first, as
`sam validate` does, and remembered: the sandbox runs the code and the ASL from those folders,
so a change to the template, the ASL or a handler changes what the sandbox runs. The only
other change is the artifact bucket's name, pinned to `model-import-sandbox` so that events
and scripts can name it.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PLACEHOLDER_BUCKET = "sandbox-local-code"
ARTIFACT_BUCKET_NAME = "model-import-sandbox"
STACK_NAME = "model-import-sandbox"

_LOCAL_URI_PROPERTIES = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
    "AWS::Serverless::StateMachine": "DefinitionUri",
}


class TemplateError(Exception):
    """template.yaml cannot be turned into a deployable stack (named resource, reason)."""


@dataclass(frozen=True)
class Blueprint:
    """What to deploy, and where the local code of each resource lives."""

    template: dict[str, Any]  # plain CloudFormation, after the SAM transform
    root: Path
    local_paths: dict[str, Path] = field(default_factory=dict)  # placeholder S3 key -> local file or folder
    artifact_bucket_id: str = "ArtifactBucket"

    def local_path(self, bucket: str, key: str) -> Path | None:
        return self.local_paths.get(key) if bucket == PLACEHOLDER_BUCKET else None

    def resources_of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.template["Resources"].items() if v.get("Type") == resource_type}


def load_sam_template(path: Path) -> dict[str, Any]:
    """template.yaml as samtranslator reads it (its tag constructors), with libyaml when present."""
    import yaml
    from samtranslator.yaml_helper import intrinsics_multi_constructor

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[valid-type,misc]
        pass

    Loader.add_multi_constructor("!", intrinsics_multi_constructor)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)


def _swap_local_uris(sam: dict[str, Any], root: Path) -> dict[str, Path]:
    local: dict[str, Path] = {}
    for logical_id, resource in sam.get("Resources", {}).items():
        prop = _LOCAL_URI_PROPERTIES.get(resource.get("Type", ""))
        properties = resource.get("Properties") or {}
        if prop is None or not isinstance(properties.get(prop), str):
            continue
        uri = properties[prop]
        if uri.startswith("s3://"):
            continue
        target = (root / uri).resolve()
        if not target.exists():
            raise TemplateError(f"{logical_id}.{prop}: {uri!r} does not exist under {root}")
        local[logical_id] = target
        properties[prop] = f"s3://{PLACEHOLDER_BUCKET}/{logical_id}"
    return local


class _NoManagedPolicies:
    """samtranslator asks IAM for managed policy ARNs; offline, it uses its bundled list."""

    def load(self) -> dict[str, str]:
        return {}


def _artifact_bucket_id(cfn: dict[str, Any]) -> str:
    output = cfn.get("Outputs", {}).get("ArtifactBucketName", {}).get("Value")
    if isinstance(output, dict) and isinstance(output.get("Ref"), str):
        return output["Ref"]
    buckets = [k for k, v in cfn["Resources"].items() if v.get("Type") == "AWS::S3::Bucket"]
    if len(buckets) != 1:
        raise TemplateError("cannot tell which bucket is the artifact bucket (no ArtifactBucketName output)")
    return buckets[0]


def transform(sam: dict[str, Any], root: Path, parameters: dict[str, str] | None = None) -> Blueprint:
    """The SAM template as plain CloudFormation, with local paths remembered."""
    from samtranslator.translator.transform import transform as sam_transform

    sam = copy.deepcopy(sam)
    local = _swap_local_uris(sam, root)
    try:
        cfn = sam_transform(sam, dict(parameters or {}), _NoManagedPolicies())
    except Exception as err:  # samtranslator raises InvalidDocumentException with the reasons
        raise TemplateError(f"the SAM transform failed: {err}") from err
    cfn = json.loads(json.dumps(cfn))  # plain dicts and lists, no samtranslator types
    bucket_id = _artifact_bucket_id(cfn)
    cfn["Resources"][bucket_id].setdefault("Properties", {})["BucketName"] = ARTIFACT_BUCKET_NAME
    return Blueprint(template=cfn, root=root, local_paths=local, artifact_bucket_id=bucket_id)


def blueprint(root: Path, parameters: dict[str, str] | None = None) -> Blueprint:
    """The deployable stack for root/template.yaml (from the cache when the same template, the
    same parameters and the same samtranslator were transformed before)."""
    from importlib.metadata import version

    from sandbox import cache

    text = (root / "template.yaml").read_bytes()
    entry = cache.key("template", text, json.dumps(parameters or {}, sort_keys=True), str(root), version("aws-sam-translator"))
    cached = cache.load("template", entry)
    if isinstance(cached, Blueprint) and all(path.exists() for path in cached.local_paths.values()):
        return cached
    result = transform(load_sam_template(root / "template.yaml"), root, parameters)
    cache.store("template", entry, result)
    return result
