import { App } from 'aws-cdk-lib';
import { addBookingFanOutExamples } from './booking-fan-out-stack';
import { addCloudTrailAuditExamples } from './cloudtrail-audit-stack';
import { CompositionExampleStack } from './composition-stack';
import { CoreExampleStack } from './core-stack';
import { CustomBusExampleStack } from './custom-bus-stack';
import { addErrorToTicketExamples } from './error-to-ticket-stack';
import { addIotDevicesExamples } from './iot-devices-stack';
import { addMarketDataExamples } from './market-data-stack';
import { addOrderToInventoryExamples } from './order-to-inventory-stack';
import { addPhotoUploadExample } from './photo-upload-stack';
import { addPlatformExamples } from './platform-layout';
import { addSaasCrmExamples } from './saas-crm-stack';

/**
 * Adds every stack of the example app: the core building blocks, the eight blueprints, two blueprints
 * composed on one bus, the new Custom Event Bus, and a platform layout (a Stage per environment: central bus,
 * team stack, spoke account).
 */
export function addExampleStacks(app: App): void {
  new CoreExampleStack(app, 'CoreExample');
  addOrderToInventoryExamples(app);
  addErrorToTicketExamples(app);
  addCloudTrailAuditExamples(app);
  addBookingFanOutExamples(app);
  addSaasCrmExamples(app);
  addMarketDataExamples(app);
  addIotDevicesExamples(app);
  new CompositionExampleStack(app, 'CompositionExample');
  new CustomBusExampleStack(app, 'CustomBusExample');
  addPlatformExamples(app);
  addPhotoUploadExample(app);
}
