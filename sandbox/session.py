"""The sandbox session: an embedded AWS (moto) with the real stack deployed in it.

    with Sandbox(bedrock=BedrockBehaviour(outcome="failed", polls=3)) as sb:
        sb.upload_folder("examples/nova-micro-demo")   # S3 PutObject -> EventBridge -> Step Functions
        sb.wait_all()
        sb.notifications()   # bodies of the SNS messages, read back from an SQS subscription
        sb.history(sb.executions()[0].arn)   # the execution history, as GetExecutionHistory gives it

Only one session can be open in a process at a time (moto's state is process-wide).
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self, TextIO

from sandbox import boot
from sandbox.bedrock import BedrockBehaviour, CustomModelStore, EmulatedBedrock
from sandbox.clock import DEFAULT_SCALE, Clock
from sandbox.events import Delivery, EventRouter
from sandbox.import_jobs import ImportJobStore
from sandbox.faults import Faults
from sandbox.logs import HandlerLog
from sandbox.patches import Patcher

ROOT = Path(__file__).resolve().parent.parent
NOTIFICATION_QUEUE = "model-import-sandbox-notifications"
STACK_SEED = 3
_QUIET_LOGGERS = ("moto", "botocore", "samtranslator", "aws_xray_sdk")
_open_session: Sandbox | None = None
_open_lock = threading.Lock()


class SandboxError(Exception):
    """The sandbox could not start, or was used wrongly (message says which)."""


@dataclass(frozen=True)
class Execution:
    arn: str
    name: str
    status: str  # RUNNING | SUCCEEDED | FAILED | TIMED_OUT | ABORTED
    input: Any
    output: Any
    error: str | None
    cause: str | None
    started: datetime
    stopped: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {"executionArn": self.arn, "status": self.status, "input": self.input, "output": self.output}


@dataclass(frozen=True)
class Notification:
    """One SNS message, as the subscribed queue received it."""

    subject: str | None
    attributes: dict[str, str]
    body: dict[str, Any]
    message_id: str


class Sandbox:
    def __init__(
        self,
        root: Path | str | None = None,
        *,
        bedrock: BedrockBehaviour | None = None,
        faults: Faults | None = None,
        parameters: dict[str, str] | None = None,
        time_scale: float = DEFAULT_SCALE,
        key_encoding: str = "raw",
        echo_logs: TextIO | None = None,
    ) -> None:
        self.root = Path(root).resolve() if root else ROOT
        self.behaviour = bedrock or BedrockBehaviour()
        self.faults = faults or Faults()
        # MaxConcurrentImports is 100 here unless given (the template's default is 1): the sandbox
        # compresses waits but not its handlers' CPU, so a deep queue on a busy machine spends its
        # simulated ImportTimeoutMinutes before the imports ahead can finish. Queues are tested with
        # the parameter set (tests/workflow/test_quotas.py, bench/load_queued.py).
        self.parameters = {"MaxConcurrentImports": "100", **{k: str(v) for k, v in (parameters or {}).items()}}
        self.clock = Clock(time_scale)
        self.log = HandlerLog(echo=echo_logs)
        self._key_encoding = key_encoding
        self._patcher = Patcher()
        self._mock: Any = None
        self._saved_env: dict[str, str | None] = {}
        self._saved_levels: dict[str, int] = {}
        self._sys_path_added: list[str] = []
        self._notifications: list[Notification] = []
        self._escrow_buckets: set[str] = set()
        self._escrow_objects: dict[tuple[str, str], str] = {}  # (bucket, key) -> sha256 of what was put
        self._escrow_lock = threading.Lock()
        self._drain_lock = threading.Lock()
        self._clients: dict[str, Any] = {}
        self._runtime: Any = None
        self.stack: Any = None
        self.router: EventRouter | None = None
        self.emulated_bedrock: EmulatedBedrock | None = None
        self.started_at: float | None = None
        self._closed = False
        self._opened = False  # this object holds the process's one session

    # ---------------------------------------------------------------- lifecycle

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> Self:
        global _open_session
        with _open_lock:
            if _open_session is not None:
                raise SandboxError("a sandbox session is already open in this process; close it first")
            _open_session = self
            self._opened = True
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def _start(self) -> None:
        self.started_at = time.monotonic()
        warnings.filterwarnings("ignore", message="Tried to parse AWS::", category=UserWarning)  # types moto does not model
        self._saved_env = boot.prepare_environment()
        boot.install_shared_loader()
        for name in _QUIET_LOGGERS:
            logger = logging.getLogger(name)
            self._saved_levels[name] = logger.level
            logger.setLevel(logging.CRITICAL)
        from moto import mock_aws

        from sandbox import faults as faults_module
        from sandbox import atomic, limits, logs, speed, timestamps
        from sandbox.lambdas import LambdaRuntime, layer_paths
        from sandbox.stack import deploy
        from sandbox.template import blueprint

        self._mock = mock_aws(
            config={
                "stepfunctions": {"execute_state_machine": True},
                "lambda": {"use_docker": False},
            }
        )
        self._mock.start()
        speed.install(self._patcher)
        limits.install(self._patcher)
        atomic.install(self._patcher)  # conditional writes: one winner, as on DynamoDB
        timestamps.install(self._patcher)
        self.clock.install(self._patcher)
        faults_module.install(self._patcher, self.faults)
        self.emulated_bedrock = EmulatedBedrock(self.behaviour)
        self.emulated_bedrock.install(self._patcher)
        self.router = EventRouter(boot.ACCOUNT_ID, boot.REGION, self._start_from_event, key_encoding=self._key_encoding)
        self.router.install(self._patcher)

        from moto.moto_api._internal import mock_random

        # The same physical names on every start (moto's documented seed), so the deployed ASL,
        # with those names substituted in, is the same text and its parse can be cached.
        mock_random.seed(STACK_SEED)
        try:
            with self.faults.suspended():  # faults are for the workflow, not for setting it up
                self.stack = deploy(blueprint(self.root, self.parameters), self.parameters)
        finally:
            mock_random.seed()  # ids made while running are random again
        for path in layer_paths(self.stack.functions):  # the layers, as Lambda puts them on sys.path
            if str(path) not in sys.path:
                sys.path.insert(0, str(path))
                self._sys_path_added.append(str(path))
        from model_import import clients

        clients.reset()
        self._runtime = LambdaRuntime(self.stack.functions, self.faults, self.log, logs.router())
        self._runtime.install(self._patcher)
        with self.faults.suspended():
            self._subscribe_queue()
            described = self._client("cloudformation").describe_stacks(StackName=self.stack.name)["Stacks"][0]
        self._stack_parameters = {p["ParameterKey"]: p["ParameterValue"] for p in described.get("Parameters", [])}

    def close(self) -> None:
        """Stop what still runs, undo every patch, stop moto, restore the environment (idempotent)."""
        global _open_session
        if self._closed or not self._opened:
            return
        self._closed = True
        try:
            if self.stack is not None:
                self._stop_running()
        finally:
            from sandbox import logs

            logs.release()
            if self._runtime is not None:
                self._runtime.close()
            self._patcher.restore()
            if self._mock is not None:
                self._mock.stop()
                self._mock = None
            for path in self._sys_path_added:
                if path in sys.path:
                    sys.path.remove(path)
            self._sys_path_added.clear()
            if "model_import.clients" in sys.modules:
                sys.modules["model_import.clients"].reset()
            for name, level in self._saved_levels.items():
                logging.getLogger(name).setLevel(level)
            boot.restore_environment(self._saved_env)
            self._saved_env = {}
            self._clients.clear()
            with _open_lock:
                if _open_session is self:
                    _open_session = None

    def _stop_running(self, grace_seconds: float = 30.0) -> None:
        """Stop executions still running (their threads would outlive moto otherwise). As in
        StopExecution they end ABORTED; one stopped in the middle of a Lambda task can end FAILED
        instead (a race in moto's executor), which is fine for tearing down. The grace period is
        generous because a loaded machine (tests in parallel) can take seconds to start a worker;
        it returns as soon as every execution has stopped."""
        now = datetime.now(UTC)
        deadline = time.monotonic() + grace_seconds
        running = [e for e in self._raw_executions() if e.exec_status == "RUNNING"]
        for execution in running:
            # A just-started execution's worker thread may not have built its environment yet
            # (moto's stop would then fail on None): give it the grace period to get there.
            worker = execution.exec_worker
            while worker is not None and worker.env is None and time.monotonic() < deadline:
                time.sleep(0.001)
            if worker is None or worker.env is not None:
                execution.stop(now, "SandboxClosed", "the sandbox session was closed")  # as StopExecution does
        while running and time.monotonic() < deadline:
            running = [e for e in running if e.exec_status == "RUNNING"]
            time.sleep(0.005)
        if self._runtime is not None:
            self._runtime.quiesce()  # a handler still running finishes before moto goes away

    # ---------------------------------------------------------------- identity

    @property
    def bucket(self) -> str:
        return self.stack.artifact_bucket

    @property
    def state_machine_arn(self) -> str:
        return self.stack.state_machine_arn

    @property
    def topic_arn(self) -> str:
        return self.stack.topic_arn

    @property
    def incoming_prefix(self) -> str:
        return self._stack_parameters.get("IncomingPrefix", "incoming/")

    @property
    def trigger_file_name(self) -> str:
        return self._stack_parameters.get("TriggerFileName", "manifest.json")

    def trigger_key(self, model_name: str) -> str:
        return f"{self.incoming_prefix}{model_name}/{self.trigger_file_name}"

    def bedrock_store(self) -> CustomModelStore:
        assert self.emulated_bedrock is not None
        return self.emulated_bedrock.store(boot.ACCOUNT_ID, boot.REGION)

    def import_store(self) -> ImportJobStore:
        """The emulated Custom Model Import: import jobs and imported models."""
        assert self.emulated_bedrock is not None
        return self.emulated_bedrock.import_jobs.store(boot.ACCOUNT_ID, boot.REGION)

    def deployment_store(self) -> Any:
        """The emulated custom model deployments (sandbox/deployments.py)."""
        assert self.emulated_bedrock is not None
        return self.emulated_bedrock.deployment_store(boot.ACCOUNT_ID, boot.REGION)

    def throughput_store(self) -> Any:
        """The emulated Provisioned Throughputs (sandbox/provisioned.py)."""
        assert self.emulated_bedrock is not None
        return self.emulated_bedrock.throughput_store(boot.ACCOUNT_ID, boot.REGION)

    def runtime_store(self) -> Any:
        """The emulated bedrock-runtime: its calls, answers and refusals (sandbox/runtime.py)."""
        assert self.emulated_bedrock is not None
        return self.emulated_bedrock.runtime_store(boot.ACCOUNT_ID, boot.REGION)

    def _client(self, service: str) -> Any:
        if service not in self._clients:
            import boto3

            self._clients[service] = boto3.client(service, region_name=boot.REGION)
        return self._clients[service]

    def _sfn_backend(self) -> Any:
        from moto.stepfunctions.parser.models import stepfunctions_parser_backends

        return stepfunctions_parser_backends[boot.ACCOUNT_ID][boot.REGION]

    # ---------------------------------------------------------------- acting like a user

    def put_object(self, key: str, body: bytes | str, *, emit: bool = True) -> dict[str, Any]:
        """One S3 PutObject into the artifact bucket (its EventBridge event follows unless emit=False)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self.faults.suspended():
            if emit:
                return self._client("s3").put_object(Bucket=self.bucket, Key=key, Body=data)
            assert self.router is not None
            with self.router.paused():
                return self._client("s3").put_object(Bucket=self.bucket, Key=key, Body=data)

    def upload_folder(
        self,
        folder: Path | str,
        model_name: str | None = None,
        *,
        trigger: bool = True,
        emit: bool = True,
        repeat: int = 1,
    ) -> list[str]:
        """Upload a model folder as its user would: the trigger file last (the folder's own trigger
        file if it has one, else `{}`), unless trigger=False. repeat=N delivers the trigger's event
        N times in all, as EventBridge may.

        When the trigger file is a SageMaker manifest whose `checkpoint_s3_bucket` names this
        account's escrow bucket, the folder's other files are the checkpoint: they are put at that
        URI first, as the training job would have (the sandbox plays SageMaker's escrow), and only
        the trigger goes to <IncomingPrefix><name>/. Otherwise the files go to that folder."""
        folder = Path(folder)
        name = model_name or folder.resolve().name
        prefix = f"{self.incoming_prefix}{name}/"
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        trigger_path = folder / self.trigger_file_name
        trigger_body = trigger_path.read_bytes() if trigger_path.is_file() else b"{}"
        escrow = escrow_target(trigger_body, boot.ACCOUNT_ID)
        keys = []
        for path in files:
            relative = path.relative_to(folder).as_posix()
            if relative == self.trigger_file_name:
                continue
            if escrow is not None:
                self.put_escrow_object(escrow[0], escrow[1] + relative, path.read_bytes())
                continue
            self.put_object(prefix + relative, path.read_bytes(), emit=emit)
            keys.append(prefix + relative)
        if trigger:
            self.upload_trigger(prefix + self.trigger_file_name, trigger_body, emit=emit, repeat=repeat)
            keys.append(prefix + self.trigger_file_name)
        return keys

    def put_escrow_object(self, bucket: str, key: str, body: bytes) -> None:
        """Put an object into a SageMaker escrow bucket of the account, creating the bucket on first
        use (SageMaker creates it with the account's first training job). A checkpoint is written
        once: many uploads naming the same escrow URI (the demo folder under many names) do not
        rewrite it while Bedrock may be reading it (moto's S3 is not safe for that)."""
        import hashlib

        digest = hashlib.sha256(body).hexdigest()
        s3 = self._client("s3")
        with self._escrow_lock, self.faults.suspended():
            if self._escrow_objects.get((bucket, key)) == digest:
                return
            if bucket not in self._escrow_buckets:
                try:
                    s3.create_bucket(Bucket=bucket)
                except s3.exceptions.BucketAlreadyOwnedByYou:
                    pass
                self._escrow_buckets.add(bucket)
            s3.put_object(Bucket=bucket, Key=key, Body=body)
            self._escrow_objects[(bucket, key)] = digest

    def register_model_package(self, group: str, *, restricted: bool = True) -> str:
        """A new version of a SageMaker model package in `group` (created on first use), as a
        training pipeline registers it; restricted=True is the type CreateCustomModel accepts
        (ManagedStorageType=Restricted). Returns the package's ARN."""
        sagemaker = self._client("sagemaker")
        with self.faults.suspended():
            groups = sagemaker.list_model_package_groups(NameContains=group)["ModelPackageGroupSummaryList"]
            if group not in [g["ModelPackageGroupName"] for g in groups]:
                sagemaker.create_model_package_group(ModelPackageGroupName=group)
            extra = {"ManagedStorageType": "Restricted"} if restricted else {}
            return sagemaker.create_model_package(ModelPackageGroupName=group, **extra)["ModelPackageArn"]

    def play_registry_approval(self, detail: dict[str, Any]) -> str | None:
        """The approved package a Model Registry approval event names, made to exist in the (moto)
        registry as the MLOps team registered it: versions of its group up to the event's, restricted.
        Returns the package's ARN, or None when the event names no usable group and version."""
        group, version = detail.get("ModelPackageGroupName"), detail.get("ModelPackageVersion")
        if not isinstance(group, str) or isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= 100:
            return None
        sagemaker = self._client("sagemaker")
        with self.faults.suspended():
            groups = sagemaker.list_model_package_groups(NameContains=group)["ModelPackageGroupSummaryList"]
            listed = []
            if group in [g["ModelPackageGroupName"] for g in groups]:
                listed = sagemaker.list_model_packages(ModelPackageGroupName=group)["ModelPackageSummaryList"]
            arns = [p["ModelPackageArn"] for p in listed]
        arns += [self.register_model_package(group) for _ in range(version - len(listed))]
        approved = next((arn for arn in arns if arn.endswith(f"/{group}/{version}")), None)
        if approved is not None:
            with self.faults.suspended():
                sagemaker.update_model_package(ModelPackageArn=approved, ModelApprovalStatus="Approved")
        return approved

    def upload_trigger(self, key: str, body: bytes | str, *, emit: bool = True, repeat: int = 1) -> None:
        """Put the trigger file; with repeat=N its event reaches the bus N times (new ids, same detail)."""
        assert self.router is not None
        before = len(self.router.events)
        self.put_object(key, body, emit=emit)
        if emit and repeat > 1 and len(self.router.events) > before:
            event = self.router.events[before]
            for _ in range(repeat - 1):
                self.router.redeliver(event)

    def put_event(self, event: dict[str, Any], repeat: int = 1) -> list[Delivery]:
        """Put an EventBridge event on the default bus as it is (`repeat` times). For a SageMaker
        Model Registry approval, the sandbox plays the registry first: the package it names exists."""
        assert self.router is not None
        if is_registry_event(event):
            self.play_registry_approval(event["detail"])
        deliveries: list[Delivery] = []
        for _ in range(repeat):
            deliveries += self.router.put(event)
        return deliveries

    def start_execution(self, execution_input: Any, name: str | None = None) -> str:
        """StartExecution with this input, as "Start execution" in the console does."""
        import uuid

        with self.faults.suspended():
            response = self._client("stepfunctions").start_execution(
                stateMachineArn=self.state_machine_arn,
                name=name or str(uuid.uuid4()),
                input=json.dumps(execution_input),
            )
        return response["executionArn"]

    def _start_from_event(self, state_machine_arn: str, name: str, payload: str) -> str:
        execution = self._sfn_backend().start_execution(state_machine_arn, name=name, execution_input=payload)
        return execution.exec_arn

    # ---------------------------------------------------------------- observing

    def _raw_executions(self) -> list[Any]:
        backend = self._sfn_backend()
        return sorted(
            (e for machine in backend.state_machines for e in machine.executions),
            key=lambda e: e.start_date,
        )

    def executions(self) -> list[Execution]:
        result = []
        for e in self._raw_executions():
            status = getattr(e.exec_status, "value", e.exec_status)
            result.append(
                Execution(
                    arn=e.exec_arn,
                    name=e.name,
                    status=str(status),
                    input=e.input_data,
                    output=_json_value(e.output),
                    error=e.error,
                    cause=e.cause,
                    started=e.start_date,
                    stopped=e.stop_date,
                )
            )
        return result

    def running(self) -> int:
        return sum(1 for machine in self._sfn_backend().state_machines for e in machine.executions if e.exec_status == "RUNNING")

    def wait_all(self, timeout: float = 60.0) -> list[Execution]:
        """Wait until no execution is running; return them all (oldest first).

        The notification queue is read meanwhile: moto's SQS does work for every message held on
        each receive, so a queue left to fill up makes reading it back slow."""
        deadline = time.monotonic() + timeout
        last_drain = time.monotonic()
        while self.running():
            if time.monotonic() > deadline:
                names = [e.name for e in self._raw_executions() if e.exec_status == "RUNNING"]
                raise TimeoutError(f"{len(names)} executions still running after {timeout} s: {names[:5]}")
            time.sleep(0.005)
            if time.monotonic() - last_drain > 0.05:
                self._drain()
                last_drain = time.monotonic()
        return self.executions()

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        """The execution's history events, oldest first, as GetExecutionHistory returns them."""
        with self.faults.suspended():
            return self._client("stepfunctions").get_execution_history(executionArn=execution_arn)["events"]

    def raw_history(self, execution_arn: str) -> list[dict[str, Any]]:
        """The same events read from the executing backend (cheap; for live following)."""
        for e in self._raw_executions():
            if e.exec_arn == execution_arn:
                if e.exec_worker is None or e.exec_worker.env is None:
                    return []
                return list(e.exec_worker.env.event_manager.get_event_history())
        raise KeyError(execution_arn)

    def states_entered(self, execution_arn: str) -> list[str]:
        return [
            event["stateEnteredEventDetails"]["name"]
            for event in self.history(execution_arn)
            if "stateEnteredEventDetails" in event
        ]

    def messages(self) -> list[Notification]:
        """Every SNS message published so far, read back from the subscribed SQS queue."""
        self._drain()
        return list(self._notifications)

    def _drain(self) -> None:
        sqs = self._client("sqs")
        with self.faults.suspended(), self._drain_lock:
            while True:
                received = sqs.receive_message(QueueUrl=self._queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
                batch = received.get("Messages", [])
                if not batch:
                    return
                for message in batch:
                    envelope = json.loads(message["Body"])
                    self._notifications.append(
                        Notification(
                            subject=envelope.get("Subject"),
                            attributes={k: v.get("Value") for k, v in (envelope.get("MessageAttributes") or {}).items()},
                            body=json.loads(envelope["Message"]),
                            message_id=envelope.get("MessageId", ""),
                        )
                    )
                sqs.delete_message_batch(
                    QueueUrl=self._queue_url,
                    Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
                )

    def notifications(self) -> list[dict[str, Any]]:
        """The notification bodies, as published."""
        return [message.body for message in self.messages()]

    def models(self) -> list[dict[str, Any]]:
        """The account's custom models (ListCustomModels), then its imported models with the status of
        the job that made each (ListImportedModels, ListModelImportJobs: an imported model exists only
        once its job Completed, so a job still running or failed is listed as Creating or Failed).
        Each entry names the API that imported it (importApi). Oldest first within each."""
        bedrock = self._client("bedrock")
        summaries: list[dict[str, Any]] = []
        imported: list[dict[str, Any]] = []
        jobs: list[dict[str, Any]] = []
        with self.faults.suspended():
            for page in bedrock.get_paginator("list_custom_models").paginate(sortOrder="Ascending"):
                summaries += page.get("modelSummaries", [])
            for page in bedrock.get_paginator("list_imported_models").paginate(sortOrder="Ascending"):
                imported += page.get("modelSummaries", [])
            for page in bedrock.get_paginator("list_model_import_jobs").paginate(sortOrder="Ascending"):
                jobs += page.get("modelImportJobSummaries", [])
        models = [
            {"modelName": m["modelName"], "modelArn": m["modelArn"], "modelStatus": m.get("modelStatus"), "importApi": "CreateCustomModel"}
            for m in summaries
        ]
        models += [
            {"modelName": m["modelName"], "modelArn": m["modelArn"], "modelStatus": "Active", "importApi": "CreateModelImportJob"}
            for m in imported
        ]
        statuses = {"InProgress": "Creating", "Failed": "Failed"}
        models += [
            {"modelName": j["importedModelName"], "modelArn": None, "modelStatus": statuses[j["status"]], "importApi": "CreateModelImportJob"}
            for j in jobs
            if j["status"] in statuses
        ]
        return models

    def deployments(self) -> list[dict[str, Any]]:
        """Every custom model deployment (mode on-demand), then every Provisioned Throughput (mode
        provisioned), oldest first, as `--json` shows them: {"mode", "name", "arn", "status",
        "modelArn", "modelUnits"} (modelUnits null on demand). Read with the List APIs, which
        move no status on."""
        bedrock = self._client("bedrock")
        on_demand: list[dict[str, Any]] = []
        provisioned: list[dict[str, Any]] = []
        with self.faults.suspended():
            for page in bedrock.get_paginator("list_custom_model_deployments").paginate(sortOrder="Ascending"):
                on_demand += page.get("modelDeploymentSummaries", [])
            for page in bedrock.get_paginator("list_provisioned_model_throughputs").paginate(sortOrder="Ascending"):
                provisioned += page.get("provisionedModelSummaries", [])
        return [
            {"mode": "on-demand", "name": d["customModelDeploymentName"], "arn": d["customModelDeploymentArn"],
             "status": d["status"], "modelArn": d["modelArn"], "modelUnits": None}
            for d in on_demand
        ] + [
            {"mode": "provisioned", "name": t["provisionedModelName"], "arn": t["provisionedModelArn"],
             "status": t["status"], "modelArn": t["modelArn"], "modelUnits": t["modelUnits"]}
            for t in provisioned
        ]  # fmt: skip

    def provisioned_throughputs(self) -> list[dict[str, Any]]:
        """The Provisioned Throughputs alone (what bills hourly until deleted)."""
        return [d for d in self.deployments() if d["mode"] == "provisioned"]

    def add_active_custom_model(self, name: str, tags: dict[str, str] | None = None) -> str:
        """A custom model that is already Active, as an earlier import left it (no polling); its ARN."""
        from sandbox.bedrock import EmulatedModel

        store = self.bedrock_store()
        arn = f"arn:aws:bedrock:{boot.REGION}:{boot.ACCOUNT_ID}:custom-model/imported/{_resource_id()}"
        with store._lock:
            if name in store.models:
                raise SandboxError(f"a custom model named {name} already exists")
            store.models[name] = EmulatedModel(
                name=name, arn=arn, source_uri=None, role_arn=None, kms_key_arn=None,
                tags=[{"key": k, "value": v} for k, v in (tags or {}).items()], token=None,
                created=datetime.now(UTC), behaviour=self.behaviour.for_model(name), status="Active",
            )  # fmt: skip
        return arn

    def add_deployment(self, name: str, model_arn: str, *, tags: dict[str, str] | None = None, status: str = "Active") -> str:
        """A custom model deployment that already exists (made by an earlier import of this stack, or
        by someone else: say so with its tags), in `status` (Creating, Active or Failed); its ARN.
        Give the stack's provenance tag with stack_tags() to make it this stack's."""
        from sandbox.deployments import Deployment

        if status not in ("Creating", "Active", "Failed"):
            raise SandboxError(f"status must be Creating, Active or Failed, got {status!r}")
        store = self.deployment_store()
        model = next((m for m in self.bedrock_store().models.values() if m.arn == model_arn), None)
        if model is None:
            raise SandboxError(f"no custom model {model_arn} in the sandbox (add_active_custom_model makes one)")
        arn = f"arn:aws:bedrock:{boot.REGION}:{boot.ACCOUNT_ID}:custom-model-deployment/{_resource_id()}"
        with store._lock:
            if name in store.deployments:
                raise SandboxError(f"a custom model deployment named {name} already exists")
            store.deployments[name] = Deployment(
                name=name, arn=arn, model_arn=model_arn, model_name=model.name, description=None,
                tags=[{"key": k, "value": v} for k, v in (tags or {}).items()], created=datetime.now(UTC),
                behaviour=self.behaviour.for_model(model.name), status=status, served=[model_arn],
                failure_message=self.behaviour.deployment_failure_message if status == "Failed" else None,
            )  # fmt: skip
        return arn

    def stack_tags(self) -> dict[str, str]:
        """The provenance tag the workflow puts on what it creates (issue 10: model-import:stack)."""
        return {"model-import:stack": self.stack.name}

    def _subscribe_queue(self) -> None:
        sqs, sns = self._client("sqs"), self._client("sns")
        self._queue_url = sqs.create_queue(QueueName=NOTIFICATION_QUEUE)["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=self._queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=self.topic_arn, Protocol="sqs", Endpoint=queue_arn)


def _resource_id() -> str:
    from sandbox.bedrock import _model_id

    return _model_id()


def is_registry_event(event: Any) -> bool:
    return (
        isinstance(event, dict)
        and event.get("source") == "aws.sagemaker"
        and event.get("detail-type") == "SageMaker Model Package State Change"
        and isinstance(event.get("detail"), dict)
    )


def registry_group(event: Any) -> str | None:
    """The model package group a Model Registry approval event names, if it is one."""
    if not is_registry_event(event):
        return None
    group = event["detail"].get("ModelPackageGroupName")
    return group if isinstance(group, str) and group else None


def escrow_target(manifest: bytes, account_id: str) -> tuple[str, str] | None:
    """(bucket, key prefix ending in '/') of the escrow checkpoint a SageMaker manifest names, when
    it is in the account's escrow bucket (customer-escrow-<account>-...); else None."""
    try:
        uri = json.loads(manifest.decode("utf-8-sig") or "{}").get("checkpoint_s3_bucket")
    except (ValueError, AttributeError, UnicodeDecodeError):
        return None
    if not isinstance(uri, str) or not uri.startswith(f"s3://customer-escrow-{account_id}-"):
        return None
    bucket, _, path = uri[len("s3://") :].partition("/")
    if not bucket or "/" in bucket:
        return None
    return bucket, (path.rstrip("/") + "/") if path.strip("/") else ""


def _json_value(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
