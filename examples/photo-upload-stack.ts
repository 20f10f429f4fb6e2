import { App } from 'aws-cdk-lib';
import { PhotoUploadStack, PhotoUploadStackProps } from '../src/blueprints/photo-upload';

/**
 * Adds the photo-upload blueprint to the example app as a stack of its own, with its defaults: the uploads bucket
 * (EventBridge notifications on), one rule on the default bus, the thumbnail and profile functions, the profile
 * table and the encrypted follower notification topic.
 */
export function addPhotoUploadExample(app: App, props: PhotoUploadStackProps = {}): PhotoUploadStack {
  return new PhotoUploadStack(app, 'PhotoUploadExample', {
    description: 'cdk-eventbridge-blueprints example: photo upload fan-out',
    uploadPrefix: 'uploads/',
    thumbnailPrefix: 'thumbnails/',
    thumbnailSize: 256,
    ...props,
  });
}
