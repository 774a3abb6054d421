import type { KafkaMessage } from 'kafkajs';
import { newTenantId } from '@tally/tenant-scope';
import { decodeMessage } from './decode-message';

const tenantId = newTenantId();
const envelope = {
  v: 1,
  tenantId,
  messageId: 'm-1',
  receivedAt: '2026-11-28T10:00:00.000Z',
  timestamp: '2026-11-28T09:59:59.000Z',
  requestId: 'req-1',
  event: { type: 'track', event: 'Signed Up', userId: 'u-1', messageId: 'm-1' },
};

const message = (value: unknown, headers: Record<string, string> = {}): KafkaMessage =>
  ({
    key: Buffer.from('k'),
    value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    headers: { 'tally-tenant-id': tenantId, 'tally-envelope-version': '1', ...headers },
    offset: '7',
    timestamp: '0',
    attributes: 0,
  }) as KafkaMessage;

describe('decodeMessage', () => {
  it('reads an envelope as ingest-api writes it', () => {
    const decoded = decodeMessage(message(envelope));
    expect(decoded).toMatchObject({
      kind: 'event',
      tenantId,
      envelope: { messageId: 'm-1', event: { event: 'Signed Up' } },
    });
  });

  it.each([
    ['an empty value', message(null), 'empty'],
    ['text that is not JSON', message('{"v":1,'), 'not_json'],
    ['a newer envelope version in the header', message(envelope, { 'tally-envelope-version': '2' }), 'unknown_version'],
    ['a newer envelope version in the body', message({ ...envelope, v: 2 }, {}), 'unknown_version'],
    ['an envelope without its event time', message({ ...envelope, timestamp: undefined }), 'invalid_envelope'],
    [
      'an event the contract refuses',
      message({ ...envelope, event: { type: 'track', userId: 'u' } }),
      'invalid_envelope',
    ],
    [
      'a tenant id of the wrong shape',
      message({ ...envelope, tenantId: 'acme' }, { 'tally-tenant-id': 'acme' }),
      'invalid_envelope',
    ],
    ['a header naming another tenant', message(envelope, { 'tally-tenant-id': newTenantId() }), 'tenant_mismatch'],
  ])('dead-letters %s', (_case, input, reason) => {
    const decoded = decodeMessage(input);
    expect(decoded).toMatchObject({ kind: 'poison', reason });
    expect(decoded.kind === 'poison' && decoded.detail.length).toBeGreaterThan(0);
  });
});
