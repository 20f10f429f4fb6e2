/**
 * SaaS CRM to marketing, deployed with the signed webhook (the real receive-webhook handler behind its function URL)
 * and Lambda delivery (the real upsert-contact handler) to a stand-in marketing API (an HTTP recorder).
 *
 * Asserts:
 * - an unsigned POST to the webhook URL is refused with 401;
 * - a lead POSTed with a valid HMAC signature is accepted (202) and reaches the marketing API as a PUT of
 *   `/contacts/<lead id>` whose body carries the allowed fields and not the others (the phone number stays in the
 *   account: `phone` is not in the default allowlist).
 *
 * The signature covers a current timestamp, so it cannot be written into the app: a small signer function of the
 * test (it plays the CRM) reads the signing secret, signs and POSTs the lead, and returns the status.
 *
 * Not covered: the partner event source path. A partner event bus can only be created for a partner event source
 * that a SaaS partner (Salesforce Event Relay, ...) has offered to the account, which a test cannot do; the partner
 * route's pattern and input transformer are covered offline (test/blueprints/saas-crm). Not covered either: the API
 * destination delivery (it needs an endpoint that accepts EventBridge's connection authorization).
 */
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, SecretValue, aws_lambda as lambda, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { HttpRecorder, awaitLogLine, integStack, integTest } from './support';
import { MarketingDelivery, SaasCrmToMarketing } from '../../src/blueprints/saas-crm';

const app = new App();
const stack = integStack(app, 'EventBridgeBlueprintsIntegSaasCrm');
const marketing = new HttpRecorder(stack, 'MarketingApi');
const signingSecret = new secretsmanager.Secret(stack, 'SigningSecret', {
  generateSecretString: { excludePunctuation: true, passwordLength: 48 },
});
const marketingSecret = new secretsmanager.Secret(stack, 'MarketingSecret', {
  secretObjectValue: {
    endpoint: SecretValue.unsafePlainText(`${marketing.url}contacts/{externalId}`),
    authorization: SecretValue.unsafePlainText('Bearer integ-test'),
  },
});
const crm = new SaasCrmToMarketing(stack, 'SaasCrm', {
  webhook: { signingSecret },
  delivery: MarketingDelivery.lambda({ marketingSecret }),
});
const webhookUrl = crm.webhookUrl!.url;

// The test's CRM: signs `<timestamp>.<body>` with the shared secret (HMAC-SHA256) and POSTs it to the webhook.
const signer = new lambda.Function(stack, 'CrmSigner', {
  runtime: lambda.Runtime.NODEJS_24_X,
  handler: 'index.handler',
  timeout: Duration.seconds(30),
  environment: { SECRET_ARN: signingSecret.secretArn, WEBHOOK_URL: webhookUrl },
  code: lambda.Code.fromInline([
    'const crypto = require("node:crypto");',
    'const { SecretsManagerClient, GetSecretValueCommand } = require("@aws-sdk/client-secrets-manager");',
    'exports.handler = async (event) => {',
    '  const secret = (await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: process.env.SECRET_ARN }))).SecretString;',
    '  const body = JSON.stringify(event.lead);',
    '  const timestamp = String(Math.floor(Date.now() / 1000));',
    '  const signature = "sha256=" + crypto.createHmac("sha256", secret).update(timestamp + "." + body).digest("hex");',
    '  const res = await fetch(process.env.WEBHOOK_URL, { method: "POST", body,',
    '    headers: { "content-type": "application/json", "x-crm-timestamp": timestamp, "x-crm-signature": signature } });',
    '  return { status: res.status };',
    '};',
  ].join('\n')),
});
signingSecret.grantRead(signer);

const integ = integTest(app, 'SaasCrm', stack);

const lead = {
  leadId: 'lead-integ-1',
  updatedAt: '2030-01-01T10:00:00Z',
  email: 'ada@example.com',
  firstName: 'Ada',
  lastName: 'Lovelace',
  company: 'Analytical Engines',
  leadStatus: 'Qualified',
  emailOptOut: false,
  phone: '+44 20 7946 0123',
};

const unsigned = integ.assertions.httpApiCall(webhookUrl, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(lead),
});
unsigned.expect(ExpectedResult.objectLike({ status: 401 }));

const signed = integ.assertions.invokeFunction({ functionName: signer.functionName, payload: JSON.stringify({ lead }) });
signed.expect(ExpectedResult.objectLike({ Payload: Match.serializedJson({ status: 202 }) }));

unsigned
  .next(signed)
  .next(awaitLogLine(integ, marketing.logGroup, '"RECORDED PUT"',
    '^RECORDED PUT /contacts/lead-integ-1 idempotency-key=\\S+ (?!.*7946)(?=.*"externalId":"lead-integ-1")(?=.*"email":"ada@example.com")'));

app.synth();
