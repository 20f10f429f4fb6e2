import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { IotDeviceManagement, IotDeviceManagementProps } from './iot-device-management';

/**
 * Properties of an {@link IotDeviceManagementStack}.
 */
export interface IotDeviceManagementStackProps extends StackProps, IotDeviceManagementProps {}

/**
 * The IoT device management blueprint as a stack of its own, for teams that deploy it separately.
 */
export class IotDeviceManagementStack extends Stack {
  /** The blueprint. */
  public readonly blueprint: IotDeviceManagement;

  constructor(scope: Construct, id: string, props: IotDeviceManagementStackProps = {}) {
    super(scope, id, props);
    this.blueprint = new IotDeviceManagement(this, 'IotDeviceManagement', props);
  }
}
