package io.github.cdkeventbridgeblueprints.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdkeventbridgeblueprints.blueprints.OrderToInventory;
import io.github.cdkeventbridgeblueprints.testing.EventRouter;
import io.github.cdkeventbridgeblueprints.testing.RouteOptions;
import io.github.cdkeventbridgeblueprints.testing.RoutedDelivery;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** One blueprint stack in Java: composed, asserted with aws-cdk-lib's assertions, routed with the offline router. */
class OrderToInventoryStackTest {
  private static OrdersStack stack;
  private static OrderToInventory inventory;
  private static Template template;

  @BeforeAll
  static void synthesizeOnce() {
    stack = new OrdersStack(new App(), "Orders", StackProps.builder()
        .env(Environment.builder().account("111111111111").region("eu-west-1").build())
        .build());
    inventory = stack.inventory;
    template = Template.fromStack(stack);
  }

  @Test
  void theOrderRuleListensOnTheBusWithARetryPolicyAndADeadLetterQueue() {
    template.hasResourceProperties("AWS::Events::Rule", Map.of(
        "EventPattern", Map.of("source", List.of("com.example.orders"), "detail-type", List.of("OrderPlaced")),
        "Targets", List.of(Match.objectLike(Map.of(
            "RetryPolicy", Map.of("MaximumRetryAttempts", 185, "MaximumEventAgeInSeconds", 86400),
            "DeadLetterConfig", Match.objectLike(Map.of()))))));
    template.hasResourceProperties("AWS::Events::EventBus", Map.of("Name", "orders"));
  }

  @Test
  void theExampleAppSynthesizes() {
    OrdersStack.main(new String[0]);
  }

  @Test
  void theInventoryTableAndTheFunctionAreThere() {
    assertTrue(template.findResources("AWS::DynamoDB::Table").size() >= 1);
    assertTrue(template.findResources("AWS::Lambda::Function").size() >= 1);
    assertEquals("OrderPlaced", inventory.getOrderPlaced().getDetailType());
  }

  @Test
  void anOrderIsRoutedToTheReserveInventoryFunction() {
    Map<String, Object> event = Map.of(
        "source", "com.example.orders",
        "detail-type", "OrderPlaced",
        "detail", Map.of("orderId", "o-1", "items", List.of(Map.of("sku", "SKU-1", "quantity", 2))));
    List<RoutedDelivery> deliveries = EventRouter.fromStack(stack)
        .route(event, RouteOptions.builder().eventBus("orders").build());
    assertEquals(1, deliveries.size());
    RoutedDelivery delivery = deliveries.get(0);
    assertEquals("AWS::Lambda::Function", delivery.getTarget().getResourceType());
    assertTrue(delivery.getTarget().getLogicalId().contains("ReserveInventory"), delivery.getTarget().getLogicalId());
    assertNotNull(delivery.getTarget().getDeadLetterQueue());
  }

  @Test
  void anEventOfAnotherSourceGoesNowhere() {
    Map<String, Object> event = Map.of("source", "com.example.other", "detail-type", "OrderPlaced", "detail", Map.of());
    assertEquals(0, EventRouter.fromStack(stack).route(event, RouteOptions.builder().eventBus("orders").build()).size());
  }

  @Test
  void badInputIsAClearErrorInJava() {
    Stack other = new Stack(new App(), "Bad");
    RuntimeException error = assertThrows(RuntimeException.class, () ->
        OrderToInventory.Builder.create(other, "Inventory").orderSource("").build());
    assertTrue(error.getMessage().contains("source must be 1-256 characters long, got 0 characters"), error.getMessage());
  }
}
