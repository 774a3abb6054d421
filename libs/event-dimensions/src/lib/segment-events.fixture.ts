import { segmentEventSchema, type SegmentEvent } from '@tally/contracts';

/**
 * Events as Segment's libraries send them, parsed by the contract the worker parses
 * with. The browser's are shaped as analytics.js (analytics-next 1.84) builds them:
 * `addPageContext` copies `location` into `context.page` (and, for a page call, into
 * `properties`), and the env-enrichment plugin adds `userAgent`, `userAgentData`,
 * `library` and, when the URL has a query string, `campaign` from its `utm_` parameters
 * (`utm_campaign` as `name`; `{}` when there is none).
 */

export const USER_AGENTS = {
  chromeWindows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  chromeMac:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  safariIphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
  safariIpad:
    'Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
  safariIpadDesktopMode:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15',
  chromeIphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1',
  chromeAndroid:
    'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  chromeAndroidTablet:
    'Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  androidWebView:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A.240205.004; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/131.0.6778.39 Mobile Safari/537.36',
  samsungInternet:
    'Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36',
  firefoxLinux: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  firefoxUbuntu: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  edgeWindows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  chromeOs:
    'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  samsungTv:
    'Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/4.0 Chrome/76.0.3809.146 TV Safari/537.36',
  googlebot: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  googlebotSmartphone:
    'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  bingbot: 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  gptBot: 'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)',
  /** analytics-kotlin sends the JVM's `http.agent`. */
  androidSdk: 'Dalvik/2.1.0 (Linux; U; Android 13; Pixel 7 Build/TQ3A.230805.001)',
  curl: 'curl/8.5.0',
} as const;

/** `navigator.userAgentData.toJSON()` of Chrome 131 on Windows, as analytics.js sends it. */
export const CHROME_USER_AGENT_DATA = {
  brands: [
    { brand: 'Google Chrome', version: '131' },
    { brand: 'Chromium', version: '131' },
    { brand: 'Not_A Brand', version: '24' },
  ],
  mobile: false,
  platform: 'Windows',
};

/** Brave sends Chrome's user agent; only its brands tell it apart. */
export const BRAVE_USER_AGENT_DATA = {
  brands: [
    { brand: 'Brave', version: '131' },
    { brand: 'Chromium', version: '131' },
    { brand: 'Not_A Brand', version: '24' },
  ],
  mobile: false,
  platform: 'Windows',
};

export interface BrowserVisit {
  /** `location.href`. */
  readonly url: string;
  /** `document.referrer`: `""` for a direct visit. */
  readonly referrer?: string;
  readonly userAgent?: string;
  readonly userAgentData?: Record<string, unknown>;
  /** What the caller passed as `context`, merged over what analytics.js adds. */
  readonly context?: Record<string, unknown>;
}

/** `analytics.page()` in a browser. */
export function analyticsJsPage(visit: BrowserVisit, properties: Record<string, unknown> = {}): SegmentEvent {
  const page = pageContextOf(visit);
  return segmentEventSchema.parse({
    type: 'page',
    anonymousId: 'b7a0f5a2-7c1e-4a40-9d2c-1f3b0c6f4e11',
    messageId: 'ajs-next-1733140000000-7c1e4a40',
    properties: { ...page, ...properties },
    context: {
      ...browserContextOf(visit),
      page: { ...page, ...pick(properties, Object.keys(page)) },
      ...visit.context,
    },
    timestamp: '2026-12-02T10:00:00.000Z',
    sentAt: '2026-12-02T10:00:00.050Z',
  });
}

/** `analytics.track(name, properties)` in a browser. */
export function analyticsJsTrack(
  visit: BrowserVisit,
  event: string,
  properties: Record<string, unknown> = {},
): SegmentEvent {
  return segmentEventSchema.parse({
    type: 'track',
    event,
    anonymousId: 'b7a0f5a2-7c1e-4a40-9d2c-1f3b0c6f4e11',
    messageId: 'ajs-next-1733140000001-9d2c1f3b',
    properties,
    context: { ...browserContextOf(visit), page: pageContextOf(visit), ...visit.context },
    timestamp: '2026-12-02T10:00:01.000Z',
    sentAt: '2026-12-02T10:00:01.050Z',
  });
}

/** An event from a server-side library: analytics-python or @segment/analytics-node, which add only `context.library`. */
export function serverEvent(
  library: 'analytics-python' | '@segment/analytics-node',
  event: Record<string, unknown>,
): SegmentEvent {
  const version = library === 'analytics-python' ? '2.3.3' : '3.1.0';
  const context = { library: { name: library, version }, ...(event['context'] as Record<string, unknown> | undefined) };
  return segmentEventSchema.parse({ userId: 'user_42', messageId: 'srv-1', ...event, context });
}

/** Any event, for the cases the libraries above do not cover. */
export const segmentEvent = (event: Record<string, unknown>): SegmentEvent =>
  segmentEventSchema.parse({ anonymousId: 'anon-1', ...event });

/**
 * An event the contract would refuse today (U+0000 in a string), as one stored before it
 * did is read back from MongoDB: the derivation must stay total and safe on it.
 */
export const uncheckedSegmentEvent = (event: Record<string, unknown>): SegmentEvent =>
  ({ anonymousId: 'anon-1', messageId: 'm-1', ...event }) as unknown as SegmentEvent;

function pageContextOf(visit: BrowserVisit) {
  const location = new URL(visit.url);
  return {
    path: location.pathname,
    referrer: visit.referrer ?? '',
    search: location.search,
    title: 'Acme',
    url: location.href.replace(/#.*$/, ''),
  };
}

function browserContextOf(visit: BrowserVisit): Record<string, unknown> {
  const search = new URL(visit.url).search;
  return {
    library: { name: 'analytics.js', version: 'npm:next-1.84.3' },
    locale: 'en-US',
    timezone: 'Europe/Paris',
    ...(visit.userAgent !== undefined && { userAgent: visit.userAgent }),
    ...(visit.userAgentData !== undefined && { userAgentData: visit.userAgentData }),
    ...(search !== '' && { campaign: utmOf(search) }),
  };
}

/** analytics-next's `utm()`: every `utm_x` parameter as `x`, `utm_campaign` as `name`. */
function utmOf(search: string): Record<string, string> {
  const campaign: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(search)) {
    if (key.startsWith('utm_') && key.length > 4) campaign[key === 'utm_campaign' ? 'name' : key.slice(4)] = value;
  }
  return campaign;
}

const pick = (record: Record<string, unknown>, keys: string[]) =>
  Object.fromEntries(Object.entries(record).filter(([key]) => keys.includes(key)));
