# bindings/python/example_app.py: a platform layout in Python (the bindings tests run this file)
import aws_cdk as cdk
from aws_cdk import aws_events as events
from constructs import Construct

from cdk_eventbridge_blueprints import blueprints, core

REGION = "eu-west-1"


class PlatformStage(cdk.Stage):
    """One environment: the platform team's bus, two team stacks on it, a spoke account forwarding to it."""

    def __init__(self, scope: Construct, construct_id: str, *, account: str, spoke_account: str) -> None:
        super().__init__(scope, construct_id, env=cdk.Environment(account=account, region=REGION))
        self.platform = cdk.Stack(self, "Platform")
        self.bus = core.CentralEventBus(
            self.platform, "CentralBus", event_bus_name="platform", source_accounts=[spoke_account]
        )

        # Team stacks of the same account: their rules name the central bus through Fn::ImportValue.
        self.orders = cdk.Stack(self, "Orders")
        self.inventory = blueprints.OrderToInventory(
            self.orders, "Inventory",
            event_bus=self.bus, order_source="com.example.orders", event_source="com.example.inventory",
        )
        self.travel = cdk.Stack(self, "Travel")
        self.bookings = blueprints.BookingFanOut(
            self.travel, "Bookings", event_bus=self.bus, sender_address="Example Air <bookings@example.com>"
        )

        # A spoke account forwards its order events from its default bus to the central bus.
        self.spoke = cdk.Stack(self, "Spoke", env=cdk.Environment(account=spoke_account, region=REGION))
        self.spoke_route = core.EventSpoke(
            self.spoke, "ToCentral",
            central_event_bus=self.bus, event_pattern=events.EventPattern(source=["com.example.orders"]),
        )


if __name__ == "__main__":  # cdk.json: {"app": "python3 example_app.py"}
    app = cdk.App()
    PlatformStage(app, "Dev", account="111111111111", spoke_account="333333333333")
    PlatformStage(app, "Prod", account="222222222222", spoke_account="444444444444")
    app.synth()
