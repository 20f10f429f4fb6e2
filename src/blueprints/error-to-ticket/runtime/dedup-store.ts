/**
 * Claims on error fingerprints in DynamoDB, so that one ticket is opened per fingerprint and window.
 *
 * Table: partition key `fingerprint` (S), TTL attribute `expiresAt` (epoch seconds).
 * Item: `{ fingerprint, status: 'pending' | 'opened', claimId, claimedAt, leaseUntil, expiresAt, ticketId?, openedAt? }`.
 *
 * - `claim` is a conditional put that succeeds when there is no item, when the item's window is over
 *   (`expiresAt <= now`: TTL deletion is lazy, so the condition checks it itself), or when the item is
 *   still `pending` and its lease has run out (the invocation that claimed it died without releasing it).
 * - `release` deletes our own claim (condition `claimId = :mine`) after a failed attempt, so that the
 *   EventBridge retry can claim again: a failed attempt never suppresses the ticket.
 * - `markOpened` records the ticket id and clears the lease.
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

export type ClaimResult =
  | { readonly claimed: true; readonly claimId: string }
  | { readonly claimed: false; readonly status?: string; readonly ticketId?: string };

export interface DedupStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default crypto.randomUUID */
  readonly newId?: () => string;
}

const isConditionalCheckFailed = (err: unknown) =>
  err instanceof ConditionalCheckFailedException || (err as Error | undefined)?.name === 'ConditionalCheckFailedException';

export class DedupStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(options: DedupStoreOptions) {
    this.doc = DynamoDBDocumentClient.from(options.client);
    this.tableName = options.tableName;
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? randomUUID;
  }

  public async claim(fingerprint: string, windowSeconds: number, leaseSeconds: number): Promise<ClaimResult> {
    const now = Math.floor(this.now() / 1000);
    const claimId = this.newId();
    try {
      await this.doc.send(new PutCommand({
        TableName: this.tableName,
        Item: {
          fingerprint,
          status: 'pending',
          claimId,
          claimedAt: new Date(this.now()).toISOString(),
          leaseUntil: now + leaseSeconds,
          expiresAt: now + windowSeconds,
        },
        ConditionExpression: 'attribute_not_exists(fingerprint) OR expiresAt <= :now OR (#status = :pending AND leaseUntil <= :now)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':now': now, ':pending': 'pending' },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return { claimed: true, claimId };
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      const old = (err as { Item?: Record<string, { S?: string }> }).Item;
      return {
        claimed: false,
        ...(old?.status?.S ? { status: old.status.S } : {}),
        ...(old?.ticketId?.S ? { ticketId: old.ticketId.S } : {}),
      };
    }
  }

  /** Delete our claim. Returns false when the claim was no longer ours (someone took over an expired lease). */
  public async release(fingerprint: string, claimId: string): Promise<boolean> {
    try {
      await this.doc.send(new DeleteCommand({
        TableName: this.tableName,
        Key: { fingerprint },
        ConditionExpression: 'claimId = :mine',
        ExpressionAttributeValues: { ':mine': claimId },
      }));
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }

  /** Record the opened ticket. Returns false when the claim was no longer ours. */
  public async markOpened(fingerprint: string, claimId: string, ticketId: string): Promise<boolean> {
    try {
      await this.doc.send(new UpdateCommand({
        TableName: this.tableName,
        Key: { fingerprint },
        UpdateExpression: 'SET #status = :opened, ticketId = :ticketId, openedAt = :openedAt REMOVE leaseUntil',
        ConditionExpression: 'claimId = :mine',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':opened': 'opened', ':ticketId': ticketId, ':openedAt': new Date(this.now()).toISOString(), ':mine': claimId },
      }));
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }
}
