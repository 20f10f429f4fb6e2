/**
 * Photo upload fan-out, deployed with its defaults (the uploads bucket with its native EventBridge notifications,
 * the rule on the default bus, the real thumbnail and profile handlers, the notification topic), destroyed with the
 * stack; an SQS queue subscribes to the topic.
 *
 * Asserts, for a JPEG uploaded to `uploads/u-integ/photo.jpg`:
 * - the thumbnail function wrote `thumbnails/u-integ/photo.jpg` (a JPEG) to the bucket;
 * - the profile function made it the user's photo in the profile table;
 * - the topic published the `PhotoUploaded` notification (received by the subscribed queue).
 * Then it deletes both objects, so that CloudFormation can delete the bucket with the stack (after a failed
 * assertion the two objects stay, and so does the bucket: empty it and delete the stack again).
 *
 * S3 cannot take binary data from an integ-tests SDK call (parameters are JSON), so a small uploader function of the
 * test (it plays the app's presigned PUT) writes the fixture image.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { AwsApiCall, ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, aws_lambda as lambda, aws_sns_subscriptions as subscriptions, aws_sqs as sqs } from 'aws-cdk-lib';
import { WAIT, awaitMessage, integStack, integTest } from './support';
import { PhotoUpload } from '../../src/blueprints/photo-upload';

const PHOTO_KEY = 'uploads/u-integ/photo.jpg';
const THUMBNAIL_KEY = 'thumbnails/u-integ/photo.jpg';

const app = new App();
const stack = integStack(app, 'EventBridgeBlueprintsIntegPhotoUpload');
const photos = new PhotoUpload(stack, 'PhotoUpload', { removalPolicy: RemovalPolicy.DESTROY });
const notifications = new sqs.Queue(stack, 'Notifications', { enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED });
photos.notificationTopic.addSubscription(new subscriptions.SqsSubscription(notifications, { rawMessageDelivery: true }));

const uploader = new lambda.Function(stack, 'Uploader', {
  runtime: lambda.Runtime.NODEJS_24_X,
  handler: 'index.handler',
  timeout: Duration.seconds(30),
  environment: { BUCKET: photos.uploadsBucket.bucketName },
  code: lambda.Code.fromInline([
    'const { S3Client, PutObjectCommand } = require("@aws-sdk/client-s3");',
    'exports.handler = async (event) => {',
    '  const out = await new S3Client({}).send(new PutObjectCommand({',
    '    Bucket: process.env.BUCKET, Key: event.key, Body: Buffer.from(event.base64, "base64"), ContentType: event.contentType }));',
    '  return { etag: out.ETag };',
    '};',
  ].join('\n')),
});
photos.uploadsBucket.grantPut(uploader, 'uploads/*');

const integ = integTest(app, 'PhotoUpload', stack);

const photo = readFileSync(join(__dirname, '..', 'blueprints', 'photo-upload', 'fixtures', 'photo.jpg')).toString('base64');
const upload = integ.assertions.invokeFunction({
  functionName: uploader.functionName,
  payload: JSON.stringify({ key: PHOTO_KEY, base64: photo, contentType: 'image/jpeg' }),
});
upload.expect(ExpectedResult.objectLike({ Payload: Match.serializedJson({ etag: Match.stringLikeRegexp('.+') }) }));

const thumbnail = integ.assertions.awsApiCall('S3', 'headObject', { Bucket: photos.uploadsBucket.bucketName, Key: THUMBNAIL_KEY });
thumbnail.expect(ExpectedResult.objectLike({ ContentType: 'image/jpeg' }));

const profile = integ.assertions.awsApiCall('DynamoDB', 'getItem', {
  TableName: photos.profileTable.tableName,
  Key: { userId: { S: 'u-integ' } },
  ConsistentRead: true,
});
profile.expect(ExpectedResult.objectLike({ Item: { userId: { S: 'u-integ' }, photoKey: { S: PHOTO_KEY }, thumbnailKey: { S: THUMBNAIL_KEY } } }));

const awaitThumbnail = thumbnail.waitForAssertions(WAIT);
// HeadObject is authorized by s3:GetObject (integ-tests would grant the action "s3:HeadObject", which does not exist).
(thumbnail as AwsApiCall).waiterProvider!.addToRolePolicy({ Effect: 'Allow', Action: ['s3:GetObject'], Resource: [photos.uploadsBucket.arnForObjects(THUMBNAIL_KEY)] });

upload
  .next(awaitThumbnail)
  .next(profile.waitForAssertions(WAIT))
  .next(awaitMessage(integ, notifications, {
    Body: Match.serializedJson(Match.objectLike({ type: 'PhotoUploaded', bucket: photos.uploadsBucket.bucketName, key: PHOTO_KEY })),
  }))
  .next(integ.assertions.awsApiCall('S3', 'deleteObject', { Bucket: photos.uploadsBucket.bucketName, Key: THUMBNAIL_KEY }))
  .next(integ.assertions.awsApiCall('S3', 'deleteObject', { Bucket: photos.uploadsBucket.bucketName, Key: PHOTO_KEY }));

app.synth();
