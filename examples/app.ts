import { App, Aspects, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { EventPatternValidation } from '../src';
import { addExampleStacks } from './stacks';

const app = new App();
addExampleStacks(app);

// Every rule pattern in the app is checked at synth, and cdk-nag fails synthesis on any unacknowledged finding.
Aspects.of(app).add(new EventPatternValidation());
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));

app.synth();
