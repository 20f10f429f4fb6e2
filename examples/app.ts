import { App, Aspects, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { addExampleStacks } from './stacks';
import { EventPatternValidation } from '../src/core';

const app = new App();
addExampleStacks(app);

// Every rule pattern in the app is checked at synth, and cdk-nag fails synthesis on any unacknowledged finding.
Aspects.of(app).add(new EventPatternValidation());
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));

app.synth();
