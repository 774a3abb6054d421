import {
  EVENT_ENVELOPE_VERSION,
  describeIssues,
  eventEnvelopeV1Schema,
  summariseProblems,
  type EventEnvelopeV1,
} from '@tally/contracts';
import { parseTenantId, type TenantId } from '@tally/tenant-scope';
import type { KafkaMessage } from 'kafkajs';

/** Why a message cannot be processed: a closed set, so it can label a metric. */
export type PoisonReason =
  'empty' | 'not_json' | 'unknown_version' | 'invalid_envelope' | 'tenant_mismatch' | 'unprocessable' | 'store_refused';

export type DecodedMessage =
  | { readonly kind: 'event'; readonly tenantId: TenantId; readonly envelope: EventEnvelopeV1 }
  | { readonly kind: 'poison'; readonly reason: PoisonReason; readonly detail: string };

const poison = (reason: PoisonReason, detail: string): DecodedMessage => ({ kind: 'poison', reason, detail });

/**
 * Reads one message of the events topic with the shared contract. Anything the
 * contract refuses is poison: it goes to the dead-letter topic with the reason, never
 * back to the partition, and never half-counted.
 */
export function decodeMessage(message: KafkaMessage): DecodedMessage {
  const version = message.headers?.['tally-envelope-version']?.toString();
  if (version !== undefined && version !== String(EVENT_ENVELOPE_VERSION)) {
    return poison('unknown_version', `envelope version ${version} is not ${EVENT_ENVELOPE_VERSION}`);
  }
  if (!message.value || message.value.length === 0) return poison('empty', 'message has no value');
  let raw: unknown;
  try {
    raw = JSON.parse(message.value.toString('utf8'));
  } catch (error) {
    return poison('not_json', error instanceof Error ? error.message : String(error));
  }
  if (typeof raw === 'object' && raw !== null && 'v' in raw && raw.v !== EVENT_ENVELOPE_VERSION) {
    return poison('unknown_version', `envelope version ${String(raw.v)} is not ${EVENT_ENVELOPE_VERSION}`);
  }
  const parsed = eventEnvelopeV1Schema.safeParse(raw);
  if (!parsed.success) return poison('invalid_envelope', summariseProblems(describeIssues(parsed.error)));
  const envelope = parsed.data;
  const tenantId = parseTenantId(envelope.tenantId);
  if (tenantId === undefined) return poison('invalid_envelope', 'tenantId: is not a tenant id');
  const headerTenant = message.headers?.['tally-tenant-id']?.toString();
  if (headerTenant !== undefined && headerTenant !== tenantId) {
    return poison('tenant_mismatch', 'the tally-tenant-id header and the envelope name different tenants');
  }
  return { kind: 'event', tenantId, envelope };
}
