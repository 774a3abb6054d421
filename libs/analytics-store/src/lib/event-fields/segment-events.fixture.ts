import { segmentEventSchema, type SegmentEvent } from '@tally/contracts';

/**
 * Events for the specs and the cost measurement of `eventFieldsOf`. The first two are
 * what Segment's libraries send (analytics-next 1.84 and @segment/analytics-node 3.1),
 * parsed by the contract the worker parses with.
 */

/** `analytics.page('Pricing')` in Chrome, landing from a Google ad. */
export const analyticsJsPageView = (): SegmentEvent =>
  segmentEventSchema.parse({
    type: 'page',
    name: 'Pricing',
    anonymousId: 'b7a0f5a2-7c1e-4a40-9d2c-1f3b0c6f4e11',
    messageId: 'ajs-next-1733140000000-7c1e4a40',
    timestamp: '2026-12-02T10:00:00.000Z',
    sentAt: '2026-12-02T10:00:00.050Z',
    properties: {
      name: 'Pricing',
      path: '/pricing',
      referrer: 'https://www.google.com/',
      search: '?utm_source=google&utm_medium=cpc&utm_campaign=brand',
      title: 'Pricing – Acme',
      url: 'https://acme.io/pricing?utm_source=google&utm_medium=cpc&utm_campaign=brand',
    },
    context: {
      page: {
        path: '/pricing',
        referrer: 'https://www.google.com/',
        search: '?utm_source=google&utm_medium=cpc&utm_campaign=brand',
        title: 'Pricing – Acme',
        url: 'https://acme.io/pricing?utm_source=google&utm_medium=cpc&utm_campaign=brand',
      },
      userAgent:
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      userAgentData: {
        brands: [
          { brand: 'Google Chrome', version: '131' },
          { brand: 'Chromium', version: '131' },
        ],
        mobile: false,
        platform: 'Windows',
      },
      locale: 'en-US',
      timezone: 'Europe/Paris',
      library: { name: 'analytics.js', version: 'npm:next-1.84.3' },
      campaign: { source: 'google', medium: 'cpc', name: 'brand' },
    },
  });

/** `analytics.track({ event: 'Order Completed', … })` from a Node server. */
export const serverOrderCompleted = (): SegmentEvent =>
  segmentEventSchema.parse({
    type: 'track',
    event: 'Order Completed',
    userId: 'user_42',
    messageId: 'node-next-1733140000002-4a40',
    timestamp: '2026-12-02T10:00:02.000Z',
    properties: {
      orderId: 'ord_8812',
      revenue: 19.99,
      currency: 'EUR',
      coupon: 'WINTER',
      products: [{ productId: 'sku_1', price: 19.99, quantity: 1 }],
    },
    context: { library: { name: '@segment/analytics-node', version: '3.1.0' } },
  });

/**
 * An event as the contract would never pass it (U+0000, lone surrogates, `NaN`), for
 * what a bypassed or older ingest could leave in a stored payload: the functions are
 * total over any JSON the roots hold.
 */
export const unvalidatedEvent = (roots: { properties?: unknown; traits?: unknown; context?: unknown }): SegmentEvent =>
  ({ type: 'track', event: 'Tested', anonymousId: 'anon-1', ...roots }) as SegmentEvent;
