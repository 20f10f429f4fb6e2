import { App, Duration } from 'aws-cdk-lib';
import { IotDeviceManagementStack } from '../src/blueprints/iot-devices';

/**
 * Adds the IoT device management blueprint to the example app as a stack of its own: statuses on
 * `fleet/+/status`, two error codes, a battery below 15 % and 15 minutes of silence as faults, one ticket per device
 * and half hour, escalation after two unacknowledged hours, in eu-west-1.
 */
export function addIotDevicesExamples(app: App): IotDeviceManagementStack {
  return new IotDeviceManagementStack(app, 'IotDevicesExample', {
    description: 'cdk-eventbridge-blueprints example: IoT device management',
    // A known region: aws-cdk-lib's Firehose stream otherwise adds a region mapping the template never uses (cfn-lint W7001).
    env: { region: 'eu-west-1' },
    statusTopic: 'fleet/+/status',
    faultErrorCodes: ['E_OVERHEAT', 'E_SENSOR'],
    lowBatteryThreshold: 15,
    faultWindow: Duration.minutes(30),
    acknowledgementTimeout: Duration.hours(2),
    heartbeatTimeout: Duration.minutes(15),
  });
}
