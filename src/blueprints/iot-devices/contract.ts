/**
 * The contract of the iot-devices blueprint, written once: detail-types, JSON Schemas (draft 4), fault kinds, ticket
 * states and limits. Pure data, imported by the construct (iot-device-management.ts), the maintenance workflow
 * (private/maintenance-workflow.ts) and the tests.
 */
import type { ContractData } from '../contract-data';

/** The `source` of the `DeviceStatusReported` events the ingestion pipe puts on the bus. */
export const DEFAULT_STATUS_SOURCE = 'com.example.iot';
/** The `source` of the maintenance events the workflow emits. */
export const DEFAULT_MAINTENANCE_SOURCE = 'com.example.maintenance';
/** The MQTT topic filter of the devices' status messages; the `+` level is the device id (the thing name). */
export const DEFAULT_STATUS_TOPIC = 'devices/+/status';

/** Limits shared by the construct's validation and the schemas. */
export const LIMITS = {
  /** AWS IoT thing names are at most 128 characters. */
  maxDeviceIdLength: 128,
  maxErrorCodeLength: 64,
  /** `faultErrorCodes` entries: enough for any device family, small enough for one event pattern. */
  maxFaultErrorCodes: 100,
  /** AWS IoT topics are at most 256 UTF-8 bytes and 7 forward slashes (8 levels). */
  maxTopicBytes: 256,
  maxTopicLevels: 8,
  lowBatteryThreshold: { min: 1, max: 100, default: 20 },
  /** EventBridge PutEvents takes at most 10 entries: the pipe's batch goes to the bus in one call. */
  batchSize: { min: 1, max: 10, default: 10 },
  maximumBatchingWindowSeconds: { min: 0, max: 300 },
  faultWindowMinutes: { min: 1, max: 7 * 24 * 60, default: 60 },
  acknowledgementTimeoutMinutes: { min: 1, max: 30 * 24 * 60, default: 4 * 60 },
  pollIntervalMinutes: { min: 1, max: 24 * 60, default: 5 },
  /** How long a ticket is kept after its window started (DynamoDB TTL). */
  ticketRetentionDays: 90,
  heartbeatTimeoutMinutes: { min: 2, max: 7 * 24 * 60 },
  heartbeatCheckIntervalMinutes: { min: 1, max: 24 * 60, default: 5 },
  /** Scan pages one heartbeat check reads at most (each up to 1 MB); the rest waits for the next check. */
  maxScanPages: 100,
} as const;

/** Environment variables of the heartbeat check function. */
export const ENV = {
  lastSeenTableName: 'LAST_SEEN_TABLE_NAME',
  heartbeatTimeoutSeconds: 'HEARTBEAT_TIMEOUT_SECONDS',
  eventBusName: 'EVENT_BUS_NAME',
  eventSource: 'EVENT_SOURCE',
} as const;

/** The attributes of an item of the last-seen table (the latest status of a device, written by the IoT rule). */
export const LAST_SEEN_ATTRIBUTES = {
  deviceId: 'deviceId',
  receivedAt: 'receivedAt',
  /** Set by the heartbeat check when it reported the silence; a new status overwrites the item and clears it. */
  missedReportedAt: 'missedReportedAt',
} as const;

/** The kinds of fault a ticket records. */
export const FAULT = {
  errorCode: 'ERROR_CODE',
  lowBattery: 'LOW_BATTERY',
  missedHeartbeat: 'MISSED_HEARTBEAT',
} as const;

/** The `status` attribute of a ticket. Acknowledge a ticket by setting it from OPEN to ACKNOWLEDGED. */
export const TICKET_STATUS = {
  open: 'OPEN',
  acknowledged: 'ACKNOWLEDGED',
  escalated: 'ESCALATED',
} as const;

/** The attributes of a ticket item in the tickets table. */
export const TICKET_ATTRIBUTES = {
  /** Partition key: `<deviceId>#<window start, ISO 8601>`. */
  ticketId: 'ticketId',
  deviceId: 'deviceId',
  windowStart: 'windowStart',
  faults: 'faults',
  status: 'status',
  openedAt: 'openedAt',
  /** How many fault statuses of the window arrived after the one that opened the ticket (duplicates included). */
  repeats: 'repeats',
  executionArn: 'executionArn',
  /** DynamoDB TTL (epoch seconds). */
  expiresAt: 'expiresAt',
} as const;

/** The fields the IoT rule selects from a status message (besides `deviceId` and `receivedAt`, which it adds). */
export const STATUS_FIELDS = ['state', 'batteryPercent', 'errorCode', 'firmwareVersion', 'sequence', 'sentAt', 'metrics'] as const;

export const DEVICE_STATUS_REPORTED: ContractData = {
  detailType: 'DeviceStatusReported',
  description: 'A device published its status on the status topic; the IoT rule added the device id (from the topic) and the receive time.',
  detailSchema: {
    type: 'object',
    required: ['deviceId', 'receivedAt'],
    properties: {
      deviceId: { type: 'string', minLength: 1, maxLength: LIMITS.maxDeviceIdLength, description: 'The thing name: the `+` level of the topic, never the payload.' },
      receivedAt: { type: 'integer', minimum: 0, description: 'When AWS IoT received the message (epoch milliseconds, the rule\'s timestamp()).' },
      state: { type: 'string', maxLength: 64, description: 'The device\'s own summary, e.g. "ok", "degraded".' },
      batteryPercent: { type: 'number', minimum: 0, maximum: 100 },
      errorCode: { type: 'string', minLength: 1, maxLength: LIMITS.maxErrorCodeLength, description: 'Absent when the device reports no error.' },
      firmwareVersion: { type: 'string', maxLength: 64 },
      sequence: { type: 'integer', minimum: 0, description: 'A per-device counter set by the device: consumers order and de-duplicate a device\'s statuses with it.' },
      sentAt: { type: 'string', description: 'The device\'s clock when it sent the message (ISO 8601); informative only, devices\' clocks drift.' },
      metrics: { type: 'object', description: 'Free-form telemetry for analysis.' },
    },
  },
};

export const DEVICE_HEARTBEAT_MISSED: ContractData = {
  detailType: 'DeviceHeartbeatMissed',
  description: 'A device sent no status for longer than the heartbeat timeout (reported once per silence).',
  detailSchema: {
    type: 'object',
    required: ['deviceId', 'lastReceivedAt', 'detectedAt', 'heartbeatTimeoutSeconds'],
    properties: {
      deviceId: { type: 'string', minLength: 1, maxLength: LIMITS.maxDeviceIdLength },
      lastReceivedAt: { type: 'integer', minimum: 0, description: 'When AWS IoT received the device\'s last status (epoch milliseconds).' },
      detectedAt: { type: 'string', description: 'When the heartbeat check noticed the silence (ISO 8601).' },
      heartbeatTimeoutSeconds: { type: 'integer', minimum: 1 },
    },
  },
};

const TICKET_DETAIL = {
  type: 'object',
  required: ['ticketId', 'deviceId', 'windowStart', 'faults'],
  properties: {
    ticketId: { type: 'string' },
    deviceId: { type: 'string' },
    windowStart: { type: 'string', description: 'Start of the fault window (ISO 8601).' },
    faults: { type: 'array', items: { type: 'string', enum: [FAULT.errorCode, FAULT.lowBattery, FAULT.missedHeartbeat] } },
  },
};

export const MAINTENANCE_TICKET_OPENED: ContractData = {
  detailType: 'MaintenanceTicketOpened',
  description: 'A fault opened a maintenance ticket (one per device and fault window); it waits for acknowledgement.',
  detailSchema: TICKET_DETAIL,
};

export const MAINTENANCE_ESCALATED: ContractData = {
  detailType: 'MaintenanceEscalated',
  description: 'A maintenance ticket was not acknowledged in time.',
  detailSchema: {
    ...TICKET_DETAIL,
    required: [...TICKET_DETAIL.required, 'openedAt'],
    properties: { ...TICKET_DETAIL.properties, openedAt: { type: 'string', description: 'When the ticket was opened (ISO 8601).' } },
  },
};
