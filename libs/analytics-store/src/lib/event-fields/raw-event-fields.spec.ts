import { standardDimensionsOf } from '@tally/event-dimensions';
import { newTenantId } from '@tally/tenant-scope';
import { RAW_EVENT_VERSION, type RawEventDocument, type RawEventDocumentV1 } from '../raw-events.collection';
import { eventFieldsOf } from './event-fields';
import { rawEventFieldsOf } from './raw-event-fields';
import { storedFields } from './stored-fields.codec';
import { analyticsJsPageView } from './segment-events.fixture';

describe('rawEventFieldsOf', () => {
  const event = { ...analyticsJsPageView(), properties: { plan: 'pro', revenue: 19.99, path: '/pricing' } };
  const base = {
    _id: 'x',
    tenantId: newTenantId(),
    name: '$page',
    userKey: 'u:1',
    timestamp: new Date(0),
    minute: 0,
    receivedAt: new Date(0),
    src: 'events/0/0',
    payload: JSON.stringify(event),
  };
  const expected = eventFieldsOf(event, standardDimensionsOf(event));

  it('reads a version-2 document as it is stored, without its payload', () => {
    const stored: RawEventDocument = {
      ...base,
      payload: '{}',
      v: RAW_EVENT_VERSION,
      ...storedFields.encode(expected),
    };
    expect(rawEventFieldsOf(stored)).toEqual({ props: expected.props, nums: expected.nums });
  });

  it('decodes a version-1 document from its payload into the same fields the worker stores', () => {
    const old: RawEventDocumentV1 = base;
    const fields = rawEventFieldsOf(old);
    expect(fields).toEqual({ props: expected.props, nums: expected.nums });
    expect(fields.props).toEqual(
      expect.arrayContaining(['properties.plan=pro', 'properties.revenue=19.99', '$path=/pricing']),
    );
    expect(fields.nums).toEqual([{ k: 'properties.revenue', n: 19.99 }]);
  });
});
