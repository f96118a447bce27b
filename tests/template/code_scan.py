"""What a function's code does to AWS, found by reading it (AST), not by running it.

From a handler's `lambda_handler` the scan follows the calls into the shared `model_import`
package (functions, and every method of a class it touches) and collects:

- boto3 calls: `<receiver>.<operation>(...)` where the receiver is named like a boto3 service
  (`s3`, `bedrock`, `sns`, `dynamodb`: the shared code takes its clients as parameters named
  after their service) and the method is one of that service's operations in botocore's model;
  `<receiver>.get_paginator("op")` counts as a call of `op`;
- the services of the clients the handler creates (`client("bedrock")`);
- the named exceptions it can raise: the `model_import.errors` classes it constructs, plus,
  for every `translate(err, "<service>", ...)`, the ones aws_errors maps that service's errors to.

A new boto3 call in the shared code therefore shows up here, and the permission tests fail until
the IAM table below and the function's policy both know it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from tests.template.loading import ROOT

PACKAGE = "model_import"
PACKAGE_DIR = ROOT / "layers" / "common" / PACKAGE

#: The IAM action each boto3 operation is authorized as (its own name, unless said otherwise).
IAM_ACTIONS: dict[tuple[str, str], frozenset[str]] = {
    # GetObject is called with VersionId (the trigger's version), which S3 authorizes as GetObjectVersion.
    ("s3", "GetObject"): frozenset({"s3:GetObject", "s3:GetObjectVersion"}),
    ("s3", "ListObjectsV2"): frozenset({"s3:ListBucket"}),
    ("bedrock", "CreateCustomModel"): frozenset({"bedrock:CreateCustomModel"}),
    ("bedrock", "GetCustomModel"): frozenset({"bedrock:GetCustomModel"}),
    ("bedrock", "ListCustomModels"): frozenset({"bedrock:ListCustomModels"}),
    ("bedrock", "ListImportedModels"): frozenset({"bedrock:ListImportedModels"}),
    ("bedrock", "CreateModelImportJob"): frozenset({"bedrock:CreateModelImportJob"}),
    ("bedrock", "GetModelImportJob"): frozenset({"bedrock:GetModelImportJob"}),
    ("bedrock", "CreateCustomModelDeployment"): frozenset({"bedrock:CreateCustomModelDeployment"}),
    ("bedrock", "GetCustomModelDeployment"): frozenset({"bedrock:GetCustomModelDeployment"}),
    ("bedrock", "UpdateCustomModelDeployment"): frozenset({"bedrock:UpdateCustomModelDeployment"}),
    ("bedrock", "ListTagsForResource"): frozenset({"bedrock:ListTagsForResource"}),
    ("bedrock", "CreateProvisionedModelThroughput"): frozenset({"bedrock:CreateProvisionedModelThroughput"}),
    ("bedrock", "GetProvisionedModelThroughput"): frozenset({"bedrock:GetProvisionedModelThroughput"}),
    ("bedrock", "GetImportedModel"): frozenset({"bedrock:GetImportedModel"}),
    # "Converse ... requires permission for the bedrock:InvokeModel action" (API_runtime_Converse.html):
    # there is no bedrock:Converse action in the Service Authorization Reference.
    ("bedrock-runtime", "Converse"): frozenset({"bedrock:InvokeModel"}),
    ("bedrock-runtime", "InvokeModel"): frozenset({"bedrock:InvokeModel"}),
    ("sns", "Publish"): frozenset({"sns:Publish"}),
    ("dynamodb", "UpdateItem"): frozenset({"dynamodb:UpdateItem"}),
    ("dynamodb", "GetItem"): frozenset({"dynamodb:GetItem"}),
    ("dynamodb", "PutItem"): frozenset({"dynamodb:PutItem"}),
}

#: Actions AWS checks on the caller besides the operation's own, because of what the request names
#: (a role to pass, a key, a model package): {operation: {action: the AWS page that says so}}.
_MODEL_PACKAGE = "https://docs.aws.amazon.com/bedrock/latest/APIReference/API_ModelPackageArnDataSource.html"
_MODEL_KEY = "https://docs.aws.amazon.com/bedrock/latest/userguide/encryption-import-model.html"
_LEDGER_KEY = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html"
_TOPIC_KEY = "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#send-to-encrypted-topic"

IMPLIED_ACTIONS: dict[tuple[str, str], dict[str, str]] = {
    ("bedrock", "CreateCustomModel"): {
        # roleArn: the caller passes the import role to Bedrock.
        "iam:PassRole": "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html",
        # modelTags are applied at create time; whether Bedrock also checks TagResource then is
        # unconfirmed, so the policy grants it on custom models (a TagResource resource type).
        "bedrock:TagResource": "https://docs.aws.amazon.com/bedrock/latest/userguide/tagging.html",
        # customModelDataSource.modelPackageArnDataSource: "you must have the sagemaker:DescribeModelPackage
        # and sagemaker:AccessModelPackageData permissions on the model package resource".
        "sagemaker:DescribeModelPackage": _MODEL_PACKAGE,
        "sagemaker:AccessModelPackageData": _MODEL_PACKAGE,
        # modelKmsKeyArn: Bedrock uses the caller's rights on the key, through Bedrock (kms:ViaService).
        "kms:DescribeKey": _MODEL_KEY,
        "kms:CreateGrant": _MODEL_KEY,
        "kms:GenerateDataKey": _MODEL_KEY,
        "kms:Decrypt": _MODEL_KEY,
    },
    ("bedrock", "CreateModelImportJob"): {
        # roleArn: the caller passes the import role to Bedrock.
        "iam:PassRole": "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html",
        # jobTags and importedModelTags are applied at create time (as for CreateCustomModel, unconfirmed
        # whether TagResource is checked then): granted on import jobs and imported models.
        "bedrock:TagResource": "https://docs.aws.amazon.com/bedrock/latest/userguide/tagging.html",
        # importedModelKmsKeyId: the caller's rights on the key, through Bedrock (kms:ViaService).
        "kms:DescribeKey": _MODEL_KEY,
        "kms:CreateGrant": _MODEL_KEY,
        "kms:GenerateDataKey": _MODEL_KEY,
        "kms:Decrypt": _MODEL_KEY,
    },
    # tags are applied at create time; as for the models, TagResource is granted on what the calls create.
    ("bedrock", "CreateCustomModelDeployment"): {"bedrock:TagResource": "https://docs.aws.amazon.com/bedrock/latest/userguide/tagging.html"},
    ("bedrock", "CreateProvisionedModelThroughput"): {"bedrock:TagResource": "https://docs.aws.amazon.com/bedrock/latest/userguide/tagging.html"},
    # "If the object you request doesn't exist, the error that Amazon S3 returns depends on whether you
    # also have the s3:ListBucket permission": 404 NoSuchKey with it, 403 AccessDenied without. The
    # validator tells "the trigger file does not exist" (and retries a URL-encoded key decoded) on 404.
    ("s3", "GetObject"): {"s3:ListBucket": "https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html"},
    # The topic is encrypted with the stack's KMS key: a publisher needs GenerateDataKey and Decrypt on it.
    ("sns", "Publish"): {"kms:GenerateDataKey": _TOPIC_KEY, "kms:Decrypt": _TOPIC_KEY},
    # The ledger table is encrypted with the stack's customer managed key: DynamoDB uses it on the
    # caller's behalf (kms:ViaService dynamodb), so the caller needs the key's use.
    **{
        ("dynamodb", operation): {"kms:GenerateDataKey": _LEDGER_KEY, "kms:Decrypt": _LEDGER_KEY}
        for operation in ("GetItem", "PutItem", "UpdateItem")
    },
}


#: Receivers named for a service whose name is not a Python identifier.
RECEIVER_SERVICES = {"bedrock_runtime": "bedrock-runtime"}


@dataclass(frozen=True)
class BotoCall:
    service: str
    operation: str  # botocore's name, e.g. "ListObjectsV2"
    where: str  # module:line


@dataclass
class Scan:
    clients: set[str] = field(default_factory=set)
    calls: set[BotoCall] = field(default_factory=set)
    raises: set[str] = field(default_factory=set)
    visited: set[str] = field(default_factory=set)

    @property
    def operations(self) -> set[tuple[str, str]]:
        return {(c.service, c.operation) for c in self.calls}


@cache
def _operations(service: str) -> dict[str, str]:
    """{snake_case method name: OperationName} of a boto3 service, from botocore's model."""
    import botocore.session
    from botocore import xform_name

    model = botocore.session.get_session().get_service_model(service)
    return {xform_name(op): op for op in model.operation_names}


@cache
def _services() -> frozenset[str]:
    import botocore.session

    return frozenset(botocore.session.get_session().get_available_services())


@cache
def error_names() -> frozenset[str]:
    from model_import import errors

    return frozenset(
        n
        for n, v in vars(errors).items()
        if isinstance(v, type) and issubclass(v, Exception) and v.__module__ == errors.__name__
    )


def _service_errors(service: str) -> set[str]:
    from model_import.aws_errors import _TRANSIENT

    throttles, outages = _TRANSIENT[service]
    return {cls.__name__ for cls in (*throttles.values(), *outages.values())} | {"AwsCallFailed"}


@dataclass
class _Module:
    name: str
    path: Path
    tree: ast.Module
    functions: dict[str, ast.AST]  # top-level def name -> node
    classes: dict[str, ast.ClassDef]
    imports: dict[str, tuple[str, str | None]]  # local name -> (module, symbol or None for a module)
    tables: dict[str, list[str]]  # a module-level dict whose values are imported modules -> those modules


@cache
def _module(name: str, path: Path | None = None) -> _Module | None:
    if path is None:
        if not name.startswith(PACKAGE + "."):
            return None
        path = PACKAGE_DIR / (name.split(".", 1)[1].replace(".", "/") + ".py")
        if not path.exists():
            return None
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    functions: dict[str, ast.AST] = {}
    classes: dict[str, ast.ClassDef] = {}
    imports: dict[str, tuple[str, str | None]] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions[node.name] = node
        elif isinstance(node, ast.ClassDef):
            classes[node.name] = node
    # Imports anywhere in the module: the shared code imports some modules inside the function that
    # needs them, to keep them out of the handlers' cold start (bench/cold_start.py).
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                imports[alias.asname or alias.name] = (alias.name, None)
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                # `from model_import import bedrock_rules as rules` imports a module.
                if _module_exists(target):
                    imports[alias.asname or alias.name] = (target, None)
                else:
                    imports[alias.asname or alias.name] = (node.module, alias.name)
    tables: dict[str, list[str]] = {}
    for node in tree.body:
        # A dispatch table, e.g. models.RESOURCES = {kind: custom_model, ...}: `RESOURCES[k].create(...)`
        # may call `create` of any of its modules.
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = node.value
            if isinstance(value, ast.Dict) and value.values and all(
                isinstance(v, ast.Name) and v.id in imports and imports[v.id][1] is None for v in value.values
            ):
                tables[node.targets[0].id] = sorted({imports[v.id][0] for v in value.values})  # type: ignore[union-attr]
    return _Module(name, path, tree, functions, classes, imports, tables)


def _module_exists(dotted: str) -> bool:
    if not dotted.startswith(PACKAGE + "."):
        return False
    return (PACKAGE_DIR / (dotted.split(".", 1)[1].replace(".", "/") + ".py")).exists()


class _Scanner:
    def __init__(self) -> None:
        self.scan = Scan()
        self._queue: list[tuple[_Module, ast.AST, str]] = []

    def run(self, handler: Path) -> Scan:
        module = _module("handler:" + str(handler), handler)
        assert module is not None
        self._visit_module_body(module)
        self._enqueue(module, module.functions["lambda_handler"], "lambda_handler")
        while self._queue:
            mod, node, _label = self._queue.pop()
            self._visit(mod, node)
        return self.scan

    def _visit_module_body(self, module: _Module) -> None:
        for stmt in module.tree.body:
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self._visit(module, stmt)

    def _enqueue(self, module: _Module, node: ast.AST, label: str) -> None:
        key = f"{module.name}:{label}"
        if key not in self.scan.visited:
            self.scan.visited.add(key)
            self._queue.append((module, node, label))

    def _enqueue_symbol(self, module_name: str, symbol: str) -> None:
        mod = _module(module_name)
        if mod is None:
            return
        if symbol in mod.functions:
            self._enqueue(mod, mod.functions[symbol], symbol)
        elif symbol in mod.classes:
            self._enqueue_class(mod, mod.classes[symbol])
        elif symbol in mod.imports:  # re-exported name
            target_module, target_symbol = mod.imports[symbol]
            if target_symbol is not None:
                self._enqueue_symbol(target_module, target_symbol)

    def _enqueue_class(self, module: _Module, cls: ast.ClassDef) -> None:
        if cls.name in error_names():
            self.scan.raises.add(cls.name)
        for item in cls.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._enqueue(module, item, f"{cls.name}.{item.name}")

    def _resolve_name(self, module: _Module, name: str) -> None:
        if name in module.functions:
            self._enqueue(module, module.functions[name], name)
        elif name in module.classes:
            self._enqueue_class(module, module.classes[name])
        elif name in module.imports:
            target_module, symbol = module.imports[name]
            if symbol is not None:
                if target_module == f"{PACKAGE}.errors" and symbol in error_names():
                    self.scan.raises.add(symbol)
                self._enqueue_symbol(target_module, symbol)

    def _visit(self, module: _Module, node: ast.AST) -> None:
        for sub in ast.walk(node):
            if not isinstance(sub, ast.Call):
                continue
            func = sub.func
            if isinstance(func, ast.Name):
                self._resolve_name(module, func.id)
                self._special_calls(module, func.id, sub)
            elif (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Subscript)
                and isinstance(func.value.value, ast.Name)
                and func.value.value.id in module.tables
            ):
                for target in module.tables[func.value.value.id]:
                    self._enqueue_symbol(target, func.attr)
            elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                receiver, attr = func.value.id, func.attr
                imported = module.imports.get(receiver)
                if imported and imported[1] is None:  # module.attr(...)
                    self._enqueue_symbol(imported[0], attr)
                elif receiver in module.classes:
                    self._enqueue_class(module, module.classes[receiver])
                elif (
                    imported
                    and imported[1] is not None
                    and _module(imported[0])
                    and imported[1] in _module(imported[0]).classes
                ):
                    self._enqueue_symbol(imported[0], imported[1])
                else:
                    self._boto_call(module, receiver, attr, sub)

    def _special_calls(self, module: _Module, name: str, call: ast.Call) -> None:
        target = module.imports.get(name, (module.name, name))
        if name == "client" and target[0] == f"{PACKAGE}.clients":
            self.scan.clients.add(_string_arg(call, 0, "client()"))
        if name == "translate" and target[0] == f"{PACKAGE}.aws_errors":
            self.scan.raises |= _service_errors(_string_arg(call, 1, "translate()"))

    def _boto_call(self, module: _Module, receiver: str, method: str, call: ast.Call) -> None:
        receiver = RECEIVER_SERVICES.get(receiver, receiver)
        if receiver not in _services():
            return
        path = module.path.relative_to(ROOT) if module.path.is_relative_to(ROOT) else module.path
        where = f"{path}:{call.lineno}"
        if method == "get_paginator":
            op_name = _string_arg(call, 0, "get_paginator()")
            self.scan.calls.add(BotoCall(receiver, _operations(receiver)[op_name], where))
        elif method in _operations(receiver):
            self.scan.calls.add(BotoCall(receiver, _operations(receiver)[method], where))


def _string_arg(call: ast.Call, index: int, what: str) -> str:
    arg = call.args[index] if len(call.args) > index else None
    if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
        raise AssertionError(f"{what} at line {call.lineno} must name its service/operation with a string literal")
    return arg.value


@cache
def scan_handler(handler: Path) -> Scan:
    """Everything `handler`'s lambda_handler can reach in the shared code."""
    return _Scanner().run(handler)


def required_actions(scan: Scan) -> dict[str, set[str]]:
    """{IAM action: {the boto3 calls that need it}}; an unknown call raises naming the table."""
    needed: dict[str, set[str]] = {}
    for call in sorted(scan.calls, key=lambda c: (c.service, c.operation, c.where)):
        own = IAM_ACTIONS.get((call.service, call.operation))
        if own is None:
            raise AssertionError(
                f"{call.service}.{call.operation} (called at {call.where}) is not in tests/template/code_scan.py "
                "IAM_ACTIONS: add the IAM actions it needs there and to the function's policy in template.yaml"
            )
        for action in own | set(IMPLIED_ACTIONS.get((call.service, call.operation), {})):
            needed.setdefault(action, set()).add(f"{call.service}.{call.operation} at {call.where}")
    return needed
