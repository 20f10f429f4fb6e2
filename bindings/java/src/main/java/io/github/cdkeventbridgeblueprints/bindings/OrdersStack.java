// bindings/java/src/main/java/io/github/cdkeventbridgeblueprints/bindings/OrdersStack.java (the bindings tests run it)
package io.github.cdkeventbridgeblueprints.bindings;

import io.github.cdkeventbridgeblueprints.blueprints.OrderToInventory;
import io.github.cdkeventbridgeblueprints.core.SecureEventBus;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.constructs.Construct;

/** An orders bus and the order-to-inventory blueprint on it: every target with a dead-letter queue and retries. */
public class OrdersStack extends Stack {
  public final SecureEventBus bus;
  public final OrderToInventory inventory;

  public OrdersStack(final Construct scope, final String id, final StackProps props) {
    super(scope, id, props);
    bus = SecureEventBus.Builder.create(this, "Bus").eventBusName("orders").build();
    inventory = OrderToInventory.Builder.create(this, "Inventory")
        .eventBus(bus)
        .orderSource("com.example.orders")
        .eventSource("com.example.inventory")
        .build();
  }

  public static void main(final String[] args) {
    App app = new App();
    new OrdersStack(app, "Orders", StackProps.builder()
        .env(Environment.builder().account("111111111111").region("eu-west-1").build())
        .build());
    app.synth();
  }
}
