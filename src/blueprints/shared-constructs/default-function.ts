import * as path from 'path';
import { Duration, aws_lambda as lambda } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ReliableDeliveryOptions } from '../../core/reliable-route';
import { BlueprintFunction } from '../kit/blueprint-function';

/**
 * The code of a blueprint handler, pre-bundled by the `bundle` task from
 * `src/blueprints/<blueprint>/runtime/<name>.lambda.ts` into `assets/blueprints/<blueprint>/runtime/<name>.lambda/`.
 * The same relative path works from `src/` (tests) and from `lib/` (the package).
 */
function handlerCode(blueprint: string, name: string): lambda.Code {
  return lambda.Code.fromAsset(path.join(__dirname, '..', '..', '..', 'assets', 'blueprints', blueprint, 'runtime', `${name}.lambda`));
}

/** What a blueprint says about one of its default functions. */
export interface DefaultFunctionSettings {
  /** The blueprint's folder name, e.g. `order-to-inventory`. */
  readonly blueprint: string;
  /** The handler's file name without `.lambda.ts`, e.g. `reserve-inventory`. */
  readonly handler: string;
  readonly description: string;
  readonly environment: { [key: string]: string };
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
}

/**
 * A blueprint's default function: a {@link BlueprintFunction} with the handler's pre-bundled code, the blueprint's
 * service name, and the on-failure alarm following the blueprint's `alarms` / `alarmActions`.
 */
export function createDefaultFunction(
  scope: Construct, id: string, settings: DefaultFunctionSettings, delivery: ReliableDeliveryOptions,
): BlueprintFunction {
  return new BlueprintFunction(scope, id, {
    code: handlerCode(settings.blueprint, settings.handler),
    serviceName: settings.blueprint,
    description: settings.description,
    environment: settings.environment,
    timeout: settings.timeout,
    memorySize: settings.memorySize,
    alarms: delivery.alarms,
    alarmActions: delivery.alarms === false ? undefined : delivery.alarmActions,
  });
}
