export * from './iot-devices';
