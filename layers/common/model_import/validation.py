"""ValidateArtifacts: any accepted input -> one ImportRequest, or ImportRejected with a reason."""

from __future__ import annotations

from typing import Any, NamedTuple

from model_import import asked_for
from model_import import bedrock_rules as rules
from model_import.deploy_options import resolve_deploy, resolve_smoke_test
from model_import.errors import ImportRejected
from model_import.inputs import Trigger, parse_input
from model_import.kinds import KIND_MODEL_PACKAGE, KIND_OPEN_WEIGHTS
from model_import.request import ImportRequest, request_token
from model_import.request_identity import token_trigger
from model_import.settings import ValidateSettings
from model_import.sources import check_kms_key, check_model_package_arn, source_kind
from model_import.tags import PROVENANCE_PREFIX, check_user_tags, merge_tags, provenance_value
from model_import.text import shorten
from model_import.trigger_file import read_trigger_file


class Validated(NamedTuple):  # a NamedTuple, not a dataclass: ~0.6 ms less cold start (bench/cold_start.py)
    request: ImportRequest
    ignored_fields: tuple[str, ...] = ()


def check_model_name(name: str, origin: str, fix: str) -> str:
    if rules.is_valid_model_name(name):
        return name
    shown = shorten(name, 80)
    problem = f"is {len(name)} characters" if len(name) > rules.MODEL_NAME_MAX else "is not allowed"
    raise ImportRejected(
        f"{origin}: the model name {shown!r} {problem}. Bedrock model names are {rules.MODEL_NAME_RULE}. "
        f"Suggested: {rules.suggest_model_name(name)!r} ({fix})"
    )


def check_registry_approval(parsed: Any, settings: ValidateSettings, origin: str) -> None:
    """Only an approval, and only of a group the stack imports (its rule filters the same; a manual
    start with such an event is checked here too)."""
    if parsed.approval_status != "Approved":
        raise ImportRejected(f"{origin}: ModelApprovalStatus is {parsed.approval_status!r}; only Approved model packages are imported")
    if parsed.package_group not in settings.model_package_group_names:
        allowed = ", ".join(settings.model_package_group_names) or "none"
        raise ImportRejected(
            f"{origin}: the model package group {parsed.package_group!r} is not one of the stack's ModelPackageGroupNames "
            f"({allowed}); add it to that parameter to import its approved packages"
        )


def validate(event: Any, execution_arn: str, settings: ValidateSettings, s3: Any) -> Validated:
    """The request, or a named error whose `asked_for` holds what the input and its trigger file
    named (model_import/asked_for.py): the handler sends it with the error, so that the notification
    names what the user asked for even though the request was refused."""
    context = asked_for.start(event, execution_arn)
    try:
        return _validate(event, execution_arn, settings, s3, context)
    except Exception as err:
        if type(err).__module__ == "model_import.errors":  # the named errors the state machine routes on
            err.asked_for = context  # type: ignore[attr-defined]
        raise


def _validate(event: Any, execution_arn: str, settings: ValidateSettings, s3: Any, context: dict[str, Any]) -> Validated:
    parsed = parse_input(event)
    ignored: tuple[str, ...] = ()
    trigger: Trigger | None
    approved_package = None
    if parsed.kind == "model-registry":
        trigger = None
        token_source = None
        origin = f"the Model Registry approval of {parsed.model_package_arn}"
        check_registry_approval(parsed, settings, origin)
        approved_package = parsed.model_package_arn
        model_name = check_model_name(parsed.model_name or "", origin, "rename the model package group")
        source_uri, package_arn, kms_key, tags = None, parsed.model_package_arn, None, {}
        after_import = {}  # an approval asks nothing: the stack's defaults apply
    elif parsed.kind in ("manual-source", "manual-package"):
        origin = "the manual input"
        trigger = None
        token_source = None
        model_name = check_model_name(parsed.model_name or "", origin, 'set "modelName" in the input')
        source_uri, package_arn, kms_key = parsed.source_uri, parsed.model_package_arn, parsed.model_kms_key_arn
        tags = check_user_tags(parsed.tags, origin)
        after_import = parsed.after_import
    else:
        assert parsed.trigger is not None
        found = read_trigger_file(s3, parsed.trigger, settings)
        trigger = found.trigger
        default_source = f"s3://{trigger.bucket}/{settings.incoming_prefix}{found.folder}/"
        asked_for.learn(
            context,
            trigger=trigger.to_dict(),
            modelName=found.model_name or found.folder or None,
            sourceUri=found.source_uri or (None if found.model_package_arn else default_source),
            modelPackageArn=found.model_package_arn,
        )
        token_source = token_trigger(parsed, found.trigger, found.object_identity)
        origin = f"s3://{trigger.bucket}/{trigger.key}"
        ignored = found.ignored_fields
        if found.model_name is not None:
            model_name = check_model_name(found.model_name, origin + ' "modelName"', 'fix "modelName" in the trigger file')
        else:
            model_name = check_model_name(
                found.folder,
                origin + " (model name taken from the folder name)",
                'set "modelName" in the trigger file, or rename the folder',
            )
        package_arn, kms_key = found.model_package_arn, found.model_kms_key_arn
        # No source named: the trigger's own folder, an open-weight model uploaded beside it.
        source_uri = found.source_uri or (None if package_arn else default_source)
        tags = check_user_tags(found.tags, origin)
        after_import = found.after_import
    if package_arn is not None:
        kind = KIND_MODEL_PACKAGE
        package_arn = check_model_package_arn(package_arn, settings, origin)
    else:
        kind = source_kind(source_uri, settings, origin)
        if kind == KIND_OPEN_WEIGHTS:
            # One listing and config.json: what Bedrock's import job would refuse minutes later.
            # Imported here: the other kinds never load it (bench/cold_start.py).
            from model_import.open_weights import check_open_weights_folder

            check_open_weights_folder(s3, source_uri, origin)
    if kms_key is not None:
        kms_key = check_kms_key(kms_key, settings, origin)
    deploy = resolve_deploy(
        after_import, kind, model_name, settings.deploy_after_import, settings.max_provisioned_model_units, origin
    )
    smoke_test = resolve_smoke_test(after_import, kind, deploy, settings.smoke_test_prompt, origin)
    defaults = check_user_tags(settings.default_tags, "the stack's DefaultTags parameter")
    provenance = {PROVENANCE_PREFIX + "source-uri": provenance_value(source_uri or package_arn or "")}
    if trigger is not None:
        provenance[PROVENANCE_PREFIX + "trigger"] = provenance_value(f"s3://{trigger.bucket}/{trigger.key}")
    provenance[PROVENANCE_PREFIX + "execution"] = provenance_value(execution_arn.rsplit(":", 1)[-1])
    # The stack that made the model (and its deployment): IAM scopes invoke and update on it.
    provenance[PROVENANCE_PREFIX + "stack"] = provenance_value(settings.stack_name)
    request = ImportRequest(
        model_name=model_name,
        source_uri=source_uri if kind != KIND_MODEL_PACKAGE else None,
        tags=merge_tags(defaults, tags, provenance),
        client_request_token=request_token(token_source, execution_arn, approved_package),
        trigger=trigger,
        kind=kind,
        model_package_arn=package_arn,
        model_kms_key_arn=kms_key,
        deploy=deploy,
        smoke_test=smoke_test,
    )
    return Validated(request=request, ignored_fields=ignored)
