export * from './iot-device-management';
export * from './iot-device-management-stack';
