import { App, Aspects, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { EventPatternValidation } from '../src';
import { addBookingFanOutExamples } from './booking-fan-out-stack';
import { addCloudTrailAuditExamples } from './cloudtrail-audit-stack';
import { CompositionExampleStack } from './composition-stack';
import { CoreExampleStack } from './core-stack';
import { addErrorToTicketExamples } from './error-to-ticket-stack';
import { addOrderToInventoryExamples } from './order-to-inventory-stack';

const app = new App();

new CoreExampleStack(app, 'CoreExample');
addOrderToInventoryExamples(app);
addErrorToTicketExamples(app);
addCloudTrailAuditExamples(app);
addBookingFanOutExamples(app);
new CompositionExampleStack(app, 'CompositionExample');

// Every rule pattern in the app is checked at synth, and cdk-nag fails synthesis on any unacknowledged finding.
Aspects.of(app).add(new EventPatternValidation());
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));

app.synth();
