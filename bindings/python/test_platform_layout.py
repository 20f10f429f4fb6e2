"""The Python bindings, run: a platform layout composed in Python, asserted with aws_cdk.assertions, routed with our CLI.

The layout is the one our users have: a platform team's central bus in one stack, two blueprints in other stacks
attached to it by cross-stack reference, a spoke account forwarding to it, and the whole layout once more in a Stage
of a second account. `npm run test:python` builds nothing: it installs dist/python/*.whl (npm run package:python) into
a fresh virtual environment with aws-cdk-lib and constructs from PyPI, and the npm tarball (dist/js) for the CLI.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template

from cdk_eventbridge_blueprints import core, testing
from example_app import REGION, PlatformStage
DEV = {"account": "111111111111", "spoke": "333333333333"}
PROD = {"account": "222222222222", "spoke": "444444444444"}


@pytest.fixture(scope="module")
def layout(tmp_path_factory):
    """The app, synthesized once for the whole file."""
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(outdir=str(outdir))
    dev = PlatformStage(app, "Dev", account=DEV["account"], spoke_account=DEV["spoke"])
    prod = PlatformStage(app, "Prod", account=PROD["account"], spoke_account=PROD["spoke"])
    assembly = app.synth()
    return {"app": app, "dev": dev, "prod": prod, "assembly": assembly, "outdir": outdir}


# --- the templates, asserted with aws_cdk.assertions ------------------------------------------------------------


def test_central_bus_lets_the_spoke_account_in_and_is_archived(layout):
    t = Template.from_stack(layout["dev"].platform)
    t.has_resource_properties("AWS::Events::EventBus", {"Name": "platform"})
    t.has_resource_properties("AWS::Events::EventBusPolicy", {
        "Statement": Match.object_like({
            "Action": "events:PutEvents",
            "Principal": {"AWS": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::333333333333:root"]]}},
        }),
    })
    t.resource_count_is("AWS::Events::Archive", 1)


def test_team_stacks_attach_by_cross_stack_reference(layout):
    platform = Template.from_stack(layout["dev"].platform).to_json()
    exported = [o["Export"]["Name"] for o in platform.get("Outputs", {}).values() if "Export" in o]
    assert exported, "the platform stack exports the bus for the team stacks"
    for stack in (layout["dev"].orders, layout["dev"].travel):
        rules = Template.from_stack(stack).find_resources("AWS::Events::Rule")
        assert rules, stack.stack_name
        for rule in rules.values():
            bus = rule["Properties"]["EventBusName"]
            assert "Fn::ImportValue" in bus and bus["Fn::ImportValue"] in exported, (stack.stack_name, bus)


def test_every_target_has_a_dead_letter_queue_and_a_retry_policy(layout):
    for stack in (layout["dev"].orders, layout["dev"].travel, layout["dev"].spoke):
        for logical_id, rule in Template.from_stack(stack).find_resources("AWS::Events::Rule").items():
            for target in rule["Properties"]["Targets"]:
                assert "DeadLetterConfig" in target, (stack.stack_name, logical_id, target["Id"])
                assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 0, (stack.stack_name, logical_id)


def test_the_spoke_forwards_to_the_central_bus_of_its_own_stage(layout):
    t = Template.from_stack(layout["prod"].spoke)
    t.has_resource_properties("AWS::Events::Rule", {
        "EventPattern": {"source": ["com.example.orders"]},
        "Targets": [Match.object_like({"Arn": {"Fn::Join": ["", [
            "arn:", {"Ref": "AWS::Partition"}, ":events:eu-west-1:222222222222:event-bus/platform",
        ]]}})],
    })


def test_the_second_stage_deploys_to_its_own_account(layout):
    stacks = {s.stack_name: s for stage in ("dev", "prod") for s in layout[stage].synth().stacks}
    assert stacks["Prod-Platform"].environment.account == PROD["account"]
    assert stacks["Prod-Orders"].environment.account == PROD["account"]
    assert stacks["Prod-Spoke"].environment.account == PROD["spoke"]
    assert stacks["Dev-Travel"].environment.account == DEV["account"]


def test_blueprint_outputs_are_typed_python_objects(layout):
    inventory = layout["dev"].inventory
    assert isinstance(inventory.route, core.ReliableRoute)
    assert inventory.order_placed.detail_type == "OrderPlaced"
    assert layout["dev"].bus.event_bus_name  # a token, resolved at deploy time


def test_bad_input_is_a_clear_error_in_python():
    stack = cdk.Stack(cdk.App(), "Bad")
    with pytest.raises(RuntimeError, match="organizationId or sourceAccounts must be given"):
        core.CentralEventBus(stack, "Central")
    with pytest.raises(RuntimeError, match='must be 12-digit AWS account IDs, got "12345"'):
        core.CentralEventBus(stack, "Central2", source_accounts=["12345"])


# --- the same app, routed -----------------------------------------------------------------------------------------


def route(layout, event, *, account, bus="platform"):
    """Routes one event with the CLI of the npm package, as a Python team runs it in CI (`npx cdk-eventbridge-blueprints`)."""
    event_file = Path(layout["outdir"]).parent / f"event-{abs(hash(json.dumps(event, sort_keys=True)))}.json"
    event_file.write_text(json.dumps(event))
    result = subprocess.run(
        [os.environ["EVENTBRIDGE_BLUEPRINTS_CLI"], "route", "--app", str(layout["outdir"]), "--event", str(event_file),
         "--bus", bus, "--account", account, "--region", REGION, "--json"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


ORDER = {
    "source": "com.example.orders",
    "detail-type": "OrderPlaced",
    "detail": {"orderId": "o-1", "items": [{"sku": "SKU-1", "quantity": 2}]},
}
BOOKING = {
    "source": "com.example.bookings",
    "detail-type": "BookingConfirmed",
    "detail": {
        "bookingId": "B-1",
        "customer": {"id": "C-1", "email": "ann@example.com", "name": "Ann"},
        "flight": {"number": "EX123", "origin": "DUB", "destination": "LIS", "departure": "2027-01-10T08:00:00Z"},
        "passengers": [{"firstName": "Ann", "lastName": "Lee"}],
        "fare": {"amount": 420, "currency": "EUR"},
    },
}


def test_an_order_reaches_the_inventory_function_of_its_stage_only(layout):
    deliveries = route(layout, ORDER, account=DEV["account"])
    assert [(d["stackId"], d["targetType"]) for d in deliveries] == [("Dev/Orders", "AWS::Lambda::Function")]
    assert "ReserveInventory" in deliveries[0]["targetLogicalId"]
    assert deliveries[0]["input"]["detail"] == ORDER["detail"]
    assert deliveries[0]["deadLetterQueue"]["logicalId"]


def test_a_booking_fans_out_to_ticketing_and_email_and_not_to_loyalty_without_a_member(layout):
    deliveries = route(layout, BOOKING, account=PROD["account"])
    assert {d["stackId"] for d in deliveries} == {"Prod/Travel"}
    targets = sorted(d["targetLogicalId"] for d in deliveries)
    assert any("IssueTicket" in t for t in targets), targets
    assert any("Confirmation" in t or "Email" in t for t in targets), targets
    assert not any("Loyalty" in t for t in targets), targets
    ticketing = next(d for d in deliveries if "IssueTicket" in d["targetLogicalId"])
    assert ticketing["input"] == {
        "bookingId": "B-1", "flight": BOOKING["detail"]["flight"], "passengers": BOOKING["detail"]["passengers"],
    }


def test_an_order_put_in_the_spoke_account_travels_to_the_central_bus(layout):
    deliveries = route(layout, ORDER, account=DEV["spoke"], bus="default")
    inventory = [d for d in deliveries if d["stackId"] == "Dev/Orders"]
    assert len(inventory) == 1, deliveries
    assert inventory[0]["path"][-1] == "arn:aws:events:eu-west-1:111111111111:event-bus/platform"


def test_the_router_api_answers_the_same_from_python(layout):
    router = testing.EventRouter.from_cloud_assembly(str(layout["outdir"]))
    deliveries = router.route({**ORDER, "account": DEV["account"], "region": REGION}, event_bus="platform")
    assert [(d.rule.stack_id, d.target.resource_type) for d in deliveries] == [("Dev/Orders", "AWS::Lambda::Function")]
    assert deliveries[0].target.dead_letter_queue is not None
    assert deliveries[0].input["detail"] == ORDER["detail"]


def test_the_example_app_runs_as_a_cdk_app(tmp_path):
    """`python3 example_app.py`, as `cdk synth` runs it (CDK_OUTDIR is how the CDK CLI passes the output folder)."""
    here = Path(__file__).parent
    result = subprocess.run(
        [sys.executable, "example_app.py"], cwd=here, env={**os.environ, "CDK_OUTDIR": str(tmp_path)},
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    for stage in ("Dev", "Prod"):
        templates = sorted(p.name for p in (tmp_path / f"assembly-{stage}").glob("*.template.json"))
        assert len(templates) == 4, templates
