import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PhotoUpload, PhotoUploadStack } from '../../../src/blueprints/photo-upload';
import { stableTemplate } from '../../helpers';
import { nagFindings } from '../../nag';

describe('PhotoUploadStack', () => {
  let stack: PhotoUploadStack;
  let template: Template;
  beforeAll(() => {
    stack = new PhotoUploadStack(new App(), 'PhotoUpload', {
      env: { account: '111111111111', region: 'eu-west-1' },
      description: 'Photo upload fan-out',
    });
    template = Template.fromStack(stack);
  });

  test('holds the blueprint with its defaults', () => {
    expect(stack.blueprint).toBeInstanceOf(PhotoUpload);
    expect(stack.blueprint.node.id).toBe('PhotoUpload');
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
  });

  test('stack props and blueprint props both apply', () => {
    expect(stack.templateOptions.description).toBe('Photo upload fan-out');
    const other = new PhotoUploadStack(new App(), 'Other', { uploadPrefix: 'incoming/' });
    expect(other.blueprint.uploadPrefix).toBe('incoming/');
  });

  test('cdk-nag AwsSolutions and Serverless find nothing', () => {
    expect(nagFindings(stack as Stack)).toEqual([]);
  });

  test('matches the snapshot', () => {
    expect(stableTemplate(stack)).toMatchSnapshot();
  });
});
