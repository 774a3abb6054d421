import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SummaryAnswer } from '@tally/contracts';
import type { CreatedTenant } from '@tally/tenancy';
import { SDK_CLIENTS, eventually, requireSdkClient, testEnvironment, uniqueName } from '@tally/testing';
import type { Browser } from 'playwright-core';
import { minuteWindow, readAnswer } from './support/aggregation-reads';
import { startOwnPlatform, type OwnPlatform } from './support/own-platform';
import { TenantSite, launchChromium, watchRequestsTo } from './support/sdk-clients/browser-page';
import { provisionTenant } from './support/tenants';
import { readEventsTopic } from './support/topic-reader';

const PORTS = { ingest: 3936, aggregation: 3937, worker: 3938 };
const SITE_PORT = 3939;

/**
 * Client libraries no one here wrote, configured as their own docs say with only the
 * host changed, send track, identify, page and group calls; every event is counted
 * exactly once. analytics.js runs in a real browser on another origin than ingest-api
 * (CORS for real); Segment's Python library runs in its own virtualenv.
 */
describe('real Segment libraries against the platform', () => {
  const env = testEnvironment();
  let platform: OwnPlatform;
  const startedAt = Date.now();

  beforeAll(async () => {
    platform = await startOwnPlatform(env, PORTS);
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
  });

  const countsOf = async (tenant: CreatedTenant): Promise<Record<string, number>> => {
    const window = minuteWindow(startedAt - 60_000, Date.now() + 60_000);
    const answer = await readAnswer<SummaryAnswer>(platform.aggregationUrl, tenant.readKey, `/aggregation?${window}`);
    return answer.countsByEvent;
  };

  it("Segment's Python library (segment-analytics-python): every call counted once", async () => {
    const tenant = await provisionTenant(env);
    const python = requireSdkClient(SDK_CLIENTS.python);
    const script = join(__dirname, 'support', 'sdk-clients', 'send-with-segment-python.py');
    const { stdout } = await promisify(execFile)(
      python,
      [script, tenant.writeKey, platform.ingestUrl, uniqueName('py')],
      {
        timeout: 60_000,
      },
    );
    // The library drops a batch refused with 400 and only reports it: any error here is lost data.
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({ errors: [] });
    const expected = { 'Python Purchase': 21, $identify: 5, $page: 5, $group: 5 };
    await eventually(async () => expect(await countsOf(tenant)).toEqual(expected), 60_000, 500);
  });

  describe('analytics.js (@segment/analytics-next) in headless Chromium, from another origin', () => {
    let browser: Browser;
    let site: TenantSite;

    beforeAll(async () => {
      [browser, site] = await Promise.all([launchChromium(), TenantSite.start(SITE_PORT)]);
    });

    afterAll(async () => {
      await Promise.all([browser?.close(), site?.stop()]);
    });

    it('sends from the page to the short paths with text/plain bodies; every call counted once, no key stored', async () => {
      const tenant = await provisionTenant(env);
      const reader = await readEventsTopic(env, tenant.tenantId);
      const page = await browser.newPage();
      const ingest = watchRequestsTo(page, platform.ingestUrl);
      try {
        await page.goto(site.url);
        const apiHost = `${new URL(platform.ingestUrl).host}/v1`;
        // As analytics.js's docs configure a custom API host; the settings given here are
        // what its CDN would serve, so the page needs no network beyond the two origins.
        await page.evaluate(
          async ({ writeKey, apiHost }) => {
            type Analytics = {
              track(name: string, properties?: object): Promise<unknown>;
              identify(id: string, traits?: object): Promise<unknown>;
              page(category?: string, name?: string, properties?: object): Promise<unknown>;
              group(id: string, traits?: object): Promise<unknown>;
            };
            // The UMD bundle's global (this runs in the page; the suite is compiled without DOM types).
            const { AnalyticsBrowser } = (
              globalThis as unknown as {
                AnalyticsNext: { AnalyticsBrowser: { load(settings: object): Promise<[Analytics, unknown]> } };
              }
            ).AnalyticsNext;
            const [analytics] = await AnalyticsBrowser.load({
              writeKey,
              cdnSettings: {
                integrations: { 'Segment.io': { apiKey: writeKey, apiHost, protocol: 'http' } },
                metrics: { sampleRate: 0 },
              },
            });
            for (let i = 0; i < 20; i++) await analytics.track('Browser Clicked', { i, color: 'blue' });
            await analytics.identify('browser-user', { plan: 'pro' });
            await analytics.page('Docs', 'Getting Started');
            await analytics.group('acme', { name: 'Acme' });
          },
          { writeKey: tenant.writeKey, apiHost },
        );
        const expected = { 'Browser Clicked': 20, $identify: 1, $page: 1, $group: 1 };
        await eventually(async () => expect(await countsOf(tenant)).toEqual(expected), 60_000, 500);
        expect(ingest.failures).toEqual([]);
        expect([...ingest.statuses.keys()]).toEqual([200]);
        // analytics.js puts the write key in every event's body; it must not reach Kafka.
        await eventually(() => expect(reader.values).toHaveLength(23), 30_000, 200);
        expect(reader.values.filter((value) => value.includes(tenant.writeKey))).toEqual([]);
        expect(reader.envelopes[0]?.event.context).toMatchObject({ library: { name: 'analytics.js' } });
      } finally {
        await Promise.all([page.close(), reader.stop()]);
      }
    });

    it('takes sendBeacon and credentialed, preflighted fetches; the script reads the rate-limit headers', async () => {
      const tenant = await provisionTenant(env);
      const page = await browser.newPage();
      const ingest = watchRequestsTo(page, platform.ingestUrl);
      try {
        await page.goto(site.url);
        const seen = await page.evaluate(
          async ({ writeKey, ingestUrl }) => {
            const event = (name: string) =>
              JSON.stringify({ type: 'track', event: name, anonymousId: 'b-1', writeKey });
            const { navigator } = globalThis as unknown as {
              navigator: { sendBeacon(url: string, body: string): boolean };
            };
            const beaconQueued = navigator.sendBeacon(`${ingestUrl}/v1/t`, event('Beacon'));
            // Authorization and application/json make the browser ask first (a preflight);
            // credentials: 'include' needs the origin echoed and Allow-Credentials.
            const response = await fetch(`${ingestUrl}/v1/track`, {
              method: 'POST',
              credentials: 'include',
              headers: { 'content-type': 'application/json', authorization: `Basic ${btoa(`${writeKey}:`)}` },
              body: event('Preflighted'),
            });
            return {
              beaconQueued,
              status: response.status,
              remaining: response.headers.get('x-ratelimit-remaining'),
              reset: response.headers.get('x-ratelimit-reset'),
            };
          },
          { writeKey: tenant.writeKey, ingestUrl: platform.ingestUrl },
        );
        expect(seen).toEqual({
          beaconQueued: true,
          status: 200,
          remaining: expect.any(String),
          reset: expect.any(String),
        });
        await eventually(
          async () => expect(await countsOf(tenant)).toEqual({ Beacon: 1, Preflighted: 1 }),
          60_000,
          500,
        );
        expect(ingest.failures).toEqual([]);
      } finally {
        await page.close();
      }
    });
  });
});
