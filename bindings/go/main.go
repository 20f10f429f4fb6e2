// The Go bindings, run: a program that synthesizes one blueprint stack in Go and checks its template.
// It builds against dist/go (npm run package:go) through the replace directive in go.mod; aws-cdk-go comes from the
// Go module proxy. Run with bindings/go/run.sh; it exits non-zero when the template is not what the blueprint makes.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-eventbridge-blueprints/cdk-eventbridge-blueprints-go/cdkeventbridgeblueprints/blueprints"
	"github.com/cdk-eventbridge-blueprints/cdk-eventbridge-blueprints-go/cdkeventbridgeblueprints/core"
)

func main() {
	outdir, err := os.MkdirTemp("", "cdk-out-go-")
	if err != nil {
		fail("%v", err)
	}
	defer os.RemoveAll(outdir)

	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir)})
	stack := awscdk.NewStack(app, jsii.String("Orders"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")},
	})
	bus := core.NewSecureEventBus(stack, jsii.String("Bus"), &core.SecureEventBusProps{EventBusName: jsii.String("operations")})
	blueprints.NewOrderToInventory(stack, jsii.String("Inventory"), &blueprints.OrderToInventoryProps{
		EventBus:    bus,
		OrderSource: jsii.String("com.example.orders"),
		EventSource: jsii.String("com.example.inventory"),
	})
	app.Synth(nil)

	text, err := os.ReadFile(filepath.Join(outdir, "Orders.template.json"))
	if err != nil {
		fail("no template: %v", err)
	}
	var template struct {
		Resources map[string]struct {
			Type       string                 `json:"Type"`
			Properties map[string]interface{} `json:"Properties"`
		} `json:"Resources"`
	}
	if err := json.Unmarshal(text, &template); err != nil {
		fail("template is not JSON: %v", err)
	}
	counts := map[string]int{}
	for _, r := range template.Resources {
		counts[r.Type]++
		if r.Type != "AWS::Events::Rule" {
			continue
		}
		targets, _ := r.Properties["Targets"].([]interface{})
		for _, t := range targets {
			target := t.(map[string]interface{})
			if _, ok := target["DeadLetterConfig"]; !ok {
				fail("a rule target has no dead-letter queue: %v", target["Id"])
			}
			if _, ok := target["RetryPolicy"]; !ok {
				fail("a rule target has no retry policy: %v", target["Id"])
			}
		}
	}
	for _, want := range []string{"AWS::Events::EventBus", "AWS::Events::Rule", "AWS::Lambda::Function", "AWS::DynamoDB::Table", "AWS::SQS::Queue"} {
		if counts[want] == 0 {
			fail("the template has no %s (types: %v)", want, counts)
		}
	}
	fmt.Printf("go: synthesized Orders with %d resources (%d rules, %d queues, %d functions); every target has a dead-letter queue and a retry policy\n",
		len(template.Resources), counts["AWS::Events::Rule"], counts["AWS::SQS::Queue"], counts["AWS::Lambda::Function"])
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "go: FAIL: "+format+"\n", args...)
	os.Exit(1)
}
