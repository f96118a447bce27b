"""Bedrock CreateCustomModel request constraints, as the service enforces them.

botocore only checks required members, types and minimum lengths on the client side; the
service answers everything else with a ValidationException. These are checked here first so
that a rejection can say exactly what was wrong. The same rules back the sandbox's emulated
Bedrock, so a request that passes offline passes the same checks on AWS.
"""

from __future__ import annotations

import re

MODEL_NAME_MAX = 63
MODEL_NAME_RE = re.compile(r"([0-9a-zA-Z][_-]?){1,63}")
MODEL_NAME_RULE = (
    "1-63 characters: letters, digits, and single '-' or '_' separators; "
    "it must start and end with a letter or digit"
)

S3_URI_MAX = 1024
S3_URI_RE = re.compile(
    r"s3://[a-z0-9][-.a-z0-9]{1,61}[a-z0-9](?:/[-!_*'().a-z0-9A-Z]+(?:/[-!_*'().a-z0-9A-Z]+)*)?/?"
)
S3_URI_RULE = (
    "s3://<bucket>/<path>/ with a lowercase bucket name and path segments made of "
    "letters, digits and - ! _ * ' ( ) ."
)

ROLE_ARN_RE = re.compile(r"arn:aws(-[^:]+)?:iam::([0-9]{12})?:role/.+")
KMS_KEY_ARN_RE = re.compile(r"arn:aws(-[^:]+)?:kms:[a-zA-Z0-9-]*:[0-9]{12}:key/[a-zA-Z0-9-]{36}")

#: CreateCustomModel customModelDataSource.modelPackageArnDataSource.modelPackageArn (botocore bedrock
#: model). Python's \S also refuses Unicode spaces that Java's accepts: stricter, never looser.
MODEL_PACKAGE_ARN_MAX = 2048
MODEL_PACKAGE_ARN_RE = re.compile(r"arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]{9,16}:[0-9]{12}:model-package/[\S]{1,2048}")

MAX_TAGS = 50
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
# re.ASCII: the service's \s is Java's, ASCII whitespace only (Python's would allow e.g. U+00A0).
TAG_RE = re.compile(r"[a-zA-Z0-9\s._:/=+@-]*", re.ASCII)
TAG_RULE = "letters, digits, spaces and . _ : / = + @ -"

TOKEN_MAX = 256
TOKEN_RE = re.compile(r"[a-zA-Z0-9]([-a-zA-Z0-9]{0,254}[a-zA-Z0-9])?")

MODEL_STATUSES = ("Active", "Creating", "Failed")

# The Amazon-managed bucket SageMaker AI creates for a training job (-smtj-) or HyperPod (-hp-):
# the only bucket CreateCustomModel's modelSourceConfig takes (API_S3DataSource; names as in
# aws/amzn-nova-customization-sdk util/platform_util.py). The account must be the caller's.
ESCROW_BUCKET_RE = re.compile(r"customer-escrow-(?P<account>[0-9]{12})-(?:smtj|hp)-[a-z0-9](?:[-a-z0-9]*[a-z0-9])?")


def is_valid_model_name(name: object) -> bool:
    """Bedrock's pattern, plus no trailing separator (stricter than the service, never looser)."""
    return (
        isinstance(name, str)
        and len(name) <= MODEL_NAME_MAX
        and MODEL_NAME_RE.fullmatch(name) is not None
        and name[-1] not in "-_"
    )


def is_valid_s3_uri(uri: object) -> bool:
    return isinstance(uri, str) and 1 <= len(uri) <= S3_URI_MAX and S3_URI_RE.fullmatch(uri) is not None


def is_valid_model_package_arn(arn: object) -> bool:
    return isinstance(arn, str) and 1 <= len(arn) <= MODEL_PACKAGE_ARN_MAX and MODEL_PACKAGE_ARN_RE.fullmatch(arn) is not None


def is_valid_token(token: object) -> bool:
    return isinstance(token, str) and 1 <= len(token) <= TOKEN_MAX and TOKEN_RE.fullmatch(token) is not None


# "aws:" in any case starts AWS's own tags; services refuse it on keys and, in several services'
# rules, on values too ("Tagging your AWS resources", which Bedrock's tagging page defers to).
# Values are checked as well: the stricter reading.
RESERVED_TAG_PREFIX = "aws:"


def tag_problem(key: object, value: object) -> str | None:
    """Why one tag breaks Bedrock's rules, or None when it is fine."""
    if not isinstance(key, str) or not isinstance(value, str):
        shown = key[:40] if isinstance(key, str) else key
        return f"tag {shown!r}: keys and values must be strings"
    if not 1 <= len(key) <= TAG_KEY_MAX:
        return f"tag key {key[:40]!r}: must be 1-{TAG_KEY_MAX} characters (has {len(key)})"
    if len(value) > TAG_VALUE_MAX:
        return f"tag {key!r}: value must be at most {TAG_VALUE_MAX} characters (has {len(value)})"
    if TAG_RE.fullmatch(key) is None:
        return f"tag key {key!r}: may only contain {TAG_RULE}"
    if TAG_RE.fullmatch(value) is None:
        return f"tag {key!r}: value {value[:40]!r} may only contain {TAG_RULE}"
    if key.lower().startswith(RESERVED_TAG_PREFIX):
        return f"tag key {key!r}: the prefix 'aws:' (in any case) is reserved for AWS's own tags; use another key"
    if value.lower().startswith(RESERVED_TAG_PREFIX):
        return (
            f"tag {key!r}: value {value[:40]!r} starts with 'aws:' (in any case), which is reserved for AWS's own tags; "
            "use another value"
        )
    return None


def suggest_model_name(name: str) -> str:
    """A valid name close to `name`, offered in rejections (never applied silently)."""
    cleaned = re.sub(r"[^0-9a-zA-Z_-]+", "-", name)
    cleaned = re.sub(r"[_-]{2,}", lambda m: m.group(0)[0], cleaned)
    cleaned = cleaned.strip("_-")[:MODEL_NAME_MAX].strip("_-")
    return cleaned or "imported-model"
