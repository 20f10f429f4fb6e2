import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PhotoUpload, PhotoUploadProps } from './photo-upload';

/**
 * Properties of a {@link PhotoUploadStack}.
 */
export interface PhotoUploadStackProps extends StackProps, PhotoUploadProps {}

/**
 * The photo-upload blueprint as a stack of its own, for teams that deploy it separately.
 */
export class PhotoUploadStack extends Stack {
  /** The blueprint. */
  public readonly blueprint: PhotoUpload;

  constructor(scope: Construct, id: string, props: PhotoUploadStackProps = {}) {
    super(scope, id, props);
    this.blueprint = new PhotoUpload(this, 'PhotoUpload', props);
  }
}
