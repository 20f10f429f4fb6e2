import { Construct } from 'constructs';
import { SecureEventBus, SecureEventBusProps } from './secure-event-bus';
import { propError } from '../private/errors';
import { registerTypeName } from './private/type-names';

const TYPE = 'CentralEventBus';

/**
 * Properties of a `CentralEventBus`.
 */
export interface CentralEventBusProps extends SecureEventBusProps {
  /**
   * The AWS Organization whose accounts may forward events to this bus (condition `aws:PrincipalOrgID`).
   *
   * EventBridge requires an IAM role on the sender's rule when the permission comes from an organization;
   * `EventSpoke` always sets one.
   *
   * @default - no organization: give `sourceAccounts`
   */
  readonly organizationId?: string;

  /**
   * The accounts that may forward events to this bus.
   *
   * @default - no account list: give `organizationId`
   */
  readonly sourceAccounts?: string[];
}

/**
 * The central event bus of a platform: a `SecureEventBus` (archive, alarms, optional customer-managed key) that
 * named accounts, or the accounts of an organization, may forward events to. Spoke accounts forward with
 * `EventSpoke`; teams attach routes and blueprints to it in its own account and region.
 *
 * Give it an explicit `eventBusName` when spokes in other stacks or accounts refer to it: its ARN is then known
 * at synth time, so a spoke in another account can use the bus object itself.
 *
 * @example
 * const central = new CentralEventBus(platformStack, 'Central', {
 *   eventBusName: 'central',
 *   organizationId: 'o-a1b2c3d4e5',
 * });
 *
 * @resource AWS::Events::EventBus
 */
export class CentralEventBus extends SecureEventBus {
  constructor(scope: Construct, id: string, props: CentralEventBusProps) {
    super(scope, id, props);
    if (props.organizationId === undefined && (props.sourceAccounts === undefined || props.sourceAccounts.length === 0)) {
      throw propError(this, TYPE, 'organizationId',
        'or sourceAccounts must be given: a central bus needs to know who may forward events to it (an organization ID like "o-a1b2c3d4e5", or 12-digit account IDs)');
    }
    if (props.organizationId !== undefined) {
      this.allowOrganization(props.organizationId);
    }
    if (props.sourceAccounts !== undefined && props.sourceAccounts.length > 0) {
      this.allowAccounts(props.sourceAccounts);
    }
  }
}

registerTypeName(CentralEventBus, TYPE);
