"""The CloudWatch dashboard shows metrics that exist: the names the functions really emit, in the
namespace and with the dimension Powertools gives them, and the AWS/States and AWS/SQS metrics of
this stack's own state machine and dead-letter queue."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.template.dashboard import dashboard_body, dashboard_metrics, dashboard_resources, emitted_metric_names, powertools_env
from tests.template.loading import plain


@pytest.fixture(scope="module")
def dashboard(template: Any) -> tuple[str, Any]:
    [(name, resource)] = dashboard_resources(template).items()
    return name, resource


def test_the_functions_emit_the_metrics_the_dashboard_needs() -> None:
    emitted = emitted_metric_names()
    assert {"ImportsSucceeded", "ImportsFailed", "ImportsRejected", "ImportDuration", "ImportSlotsInUse", "ImportQueuePosition"} <= set(emitted)
    after_active = {"DeploymentsStarted", "DeploymentsFailed", "SmokeTestsPassed", "SmokeTestsFailed", "SmokeTestLatency"}
    assert after_active <= set(emitted)
    # Counted once per import: the outcomes by PublishResult (which also sees a smoke test that
    # never answered), DeploymentsStarted by DeployModel, the latency by the smoke test's own call.
    assert {emitted[name].split(":")[0] for name in ("DeploymentsFailed", "SmokeTestsPassed", "SmokeTestsFailed")} == {"functions/publish_result/app.py"}
    assert emitted["DeploymentsStarted"].startswith("functions/deploy_model/app.py:")
    assert emitted["SmokeTestLatency"].startswith("functions/smoke_test/app.py:")


def test_every_custom_metric_on_the_dashboard_is_emitted_with_its_namespace_and_dimension(template: Any, dashboard: tuple[str, Any]) -> None:
    env = powertools_env(template)
    body, _ = dashboard_body(dashboard[1])
    emitted = emitted_metric_names()
    custom = [m for m in dashboard_metrics(body) if not m.namespace.startswith("AWS/")]
    assert custom
    for metric in custom:
        assert metric.namespace == env["POWERTOOLS_METRICS_NAMESPACE"], metric
        assert metric.name in emitted, f"{metric.name} is on the dashboard but no function emits it"
        assert metric.dimensions == {"service": env["POWERTOOLS_SERVICE_NAME"]}, metric


def test_the_dashboard_shows_outcomes_durations_failed_executions_and_dead_letters(dashboard: tuple[str, Any]) -> None:
    body, _ = dashboard_body(dashboard[1])
    metrics = dashboard_metrics(body)
    outcome_widgets = {m.widget for m in metrics if m.name == "ImportsSucceeded"}
    assert len(outcome_widgets) == 1
    assert {m.name for m in metrics if m.widget in outcome_widgets} == {"ImportsSucceeded", "ImportsFailed", "ImportsRejected"}
    assert sorted(m.options["stat"] for m in metrics if m.name == "ImportDuration") == ["p50", "p90"]
    by_name = {(m.namespace, m.name): m for m in metrics}
    assert by_name[("AWS/States", "ExecutionsFailed")].dimensions == {"StateMachineArn": "${ModelImportStateMachine}"}
    assert by_name[("AWS/SQS", "ApproximateNumberOfMessagesVisible")].dimensions == {"QueueName": "${TriggerDeadLetterQueue.QueueName}"}
    slots = {m.widget for m in metrics if m.name == "ImportSlotsInUse"}
    assert len(slots) == 1 and {m.name for m in metrics if m.widget in slots} == {"ImportSlotsInUse", "ImportQueuePosition"}


def test_the_dashboard_shows_the_phase_after_active(dashboard: tuple[str, Any]) -> None:
    """Deployments started and failed, smoke tests passed and failed on one widget (counts per
    hour), the smoke test's latency on another. AWS/States has no metric per Fail state (its
    execution metrics have the one dimension StateMachineArn: Step Functions developer guide,
    "Monitoring Step Functions metrics using Amazon CloudWatch"), so the red endings after Active
    are the custom counts, and stay in ExecutionsFailed on the widget above."""
    body, _ = dashboard_body(dashboard[1])
    metrics = dashboard_metrics(body)
    [counts] = {m.widget for m in metrics if m.name == "DeploymentsStarted"}
    assert [m.name for m in metrics if m.widget == counts] == ["DeploymentsStarted", "DeploymentsFailed", "SmokeTestsPassed", "SmokeTestsFailed"]
    widget = next(w for w in body["widgets"] if w["properties"]["title"] == counts)
    assert widget["properties"]["stat"] == "Sum"
    labels = {m.name: m.options["label"] for m in metrics if m.widget == counts}
    assert "ModelDeploymentFailed" in labels["DeploymentsFailed"] and "ModelDeploymentTimedOut" in labels["DeploymentsFailed"]
    assert "ModelSmokeTestFailed" in labels["SmokeTestsFailed"]
    latency = [m for m in metrics if m.name == "SmokeTestLatency"]
    assert latency and {m.widget for m in latency} != {counts}
    assert sorted(m.options["stat"] for m in latency) == ["Maximum", "p50"]
    states = {m.name for m in metrics if m.namespace == "AWS/States"}
    assert states <= {"ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsSucceeded", "ExecutionsAborted", "ExecutionsStarted", "ExecutionThrottled", "ExecutionTime"}


def test_the_widgets_do_not_overlap(dashboard: tuple[str, Any]) -> None:
    body, _ = dashboard_body(dashboard[1])
    cells: set[tuple[int, int]] = set()
    for widget in body["widgets"]:
        area = {(x, y) for x in range(widget["x"], widget["x"] + widget["width"]) for y in range(widget["y"], widget["y"] + widget["height"])}
        assert widget["x"] + widget["width"] <= 24 and not area & cells, widget["properties"]["title"]
        cells |= area


def test_the_dashboard_refers_only_to_this_stack(template: Any, dashboard: tuple[str, Any]) -> None:
    _, references = dashboard_body(dashboard[1])
    resources = template["Resources"]
    assert resources["ModelImportStateMachine"]["Type"] == "AWS::Serverless::StateMachine"  # Ref: its ARN
    assert resources["TriggerDeadLetterQueue"]["Type"] == "AWS::SQS::Queue"
    for reference in references:
        logical_id = reference.split(".")[0]
        assert reference.startswith("AWS::") or logical_id in resources, reference


def test_the_dashboard_is_named_after_the_stack_and_listed_in_the_outputs(template: Any, dashboard: tuple[str, Any]) -> None:
    name, resource = dashboard
    assert plain(resource["Properties"]["DashboardName"]) == {"Fn::Sub": "${AWS::StackName}-imports"}
    outputs = plain(template["Outputs"])
    assert outputs["DashboardName"]["Value"] == {"Ref": name}
    assert "#dashboards/dashboard/${" + name + "}" in outputs["DashboardUrl"]["Value"]["Fn::Sub"]


def test_the_dashboard_holds_no_data_and_runs_no_code(dashboard: tuple[str, Any]) -> None:
    """Only metric widgets of this account and region: no custom widget (a Lambda function the
    console would invoke), no text or log widget that could carry data, no cross-account metrics."""
    body, _ = dashboard_body(dashboard[1])
    for widget in body["widgets"]:
        assert widget["type"] == "metric", widget
        properties = widget["properties"]
        assert properties["region"] == "${AWS::Region}"
        assert "accountId" not in json.dumps(properties)
