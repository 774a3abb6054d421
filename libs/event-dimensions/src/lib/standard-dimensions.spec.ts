import { MAX_DIMENSION_VALUE_LENGTH } from './bounded-text.util';
import {
  BRAVE_USER_AGENT_DATA,
  CHROME_USER_AGENT_DATA,
  USER_AGENTS,
  analyticsJsPage,
  analyticsJsTrack,
  segmentEvent,
  uncheckedSegmentEvent,
  serverEvent,
} from './segment-events.fixture';
import { STANDARD_DIMENSIONS, standardDimensionsOf, type StandardDimensions } from './standard-dimensions';

const pick = (dimensions: StandardDimensions, names: (keyof StandardDimensions)[]) =>
  Object.fromEntries(names.filter((name) => name in dimensions).map((name) => [name, dimensions[name]]));

const userAgentOf = (dimensions: StandardDimensions) => pick(dimensions, ['$browser', '$os', '$device']);
const pageOf = (dimensions: StandardDimensions) =>
  pick(dimensions, ['$path', '$referrer_host', '$utm_source', '$utm_medium', '$utm_campaign']);

/** What every value must be, whatever the client sent. */
function expectWellFormed(dimensions: StandardDimensions): void {
  for (const [name, value] of Object.entries(dimensions)) {
    expect(STANDARD_DIMENSIONS).toContain(name);
    expect(typeof value).toBe('string');
    expect(value).not.toBe('');
    if (name === 'event') continue;
    expect(value.length).toBeLessThanOrEqual(MAX_DIMENSION_VALUE_LENGTH);
    expect((value as string & { isWellFormed(): boolean }).isWellFormed()).toBe(true);
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(value).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    expect(value).toBe(value.trim());
  }
}

describe('standardDimensionsOf', () => {
  describe('event: the name the counters count the event under', () => {
    it.each([
      [{ type: 'track', event: 'Order Completed' }, 'Order Completed'],
      [{ type: 'page', name: 'Pricing' }, '$page'],
      [{ type: 'screen', name: 'Home' }, '$screen'],
      [{ type: 'identify', traits: { plan: 'pro' } }, '$identify'],
      [{ type: 'group', groupId: 'acme' }, '$group'],
      [{ type: 'alias', previousId: 'anon-1' }, '$alias'],
    ])('%j is counted as %s', (event, name) => {
      expect(standardDimensionsOf(segmentEvent(event))).toEqual({ event: name });
    });
  });

  describe('$browser, $os and $device from the user agent', () => {
    it.each([
      ['Chrome on Windows', USER_AGENTS.chromeWindows, { $browser: 'Chrome', $os: 'Windows', $device: 'desktop' }],
      ['Chrome on a Mac', USER_AGENTS.chromeMac, { $browser: 'Chrome', $os: 'macOS', $device: 'desktop' }],
      ['Safari on an iPhone', USER_AGENTS.safariIphone, { $browser: 'Safari', $os: 'iOS', $device: 'mobile' }],
      ['Safari on an iPad', USER_AGENTS.safariIpad, { $browser: 'Safari', $os: 'iOS', $device: 'tablet' }],
      // iPadOS asks for desktop sites by default, with a Mac's user agent; nothing in it says otherwise.
      [
        'an iPad asking for desktop sites',
        USER_AGENTS.safariIpadDesktopMode,
        { $browser: 'Safari', $os: 'macOS', $device: 'desktop' },
      ],
      ['Chrome on an iPhone', USER_AGENTS.chromeIphone, { $browser: 'Chrome', $os: 'iOS', $device: 'mobile' }],
      [
        'Chrome on an Android phone (reduced UA)',
        USER_AGENTS.chromeAndroid,
        { $browser: 'Chrome', $os: 'Android', $device: 'mobile' },
      ],
      [
        'Chrome on an Android tablet',
        USER_AGENTS.chromeAndroidTablet,
        { $browser: 'Chrome', $os: 'Android', $device: 'tablet' },
      ],
      ['an Android WebView', USER_AGENTS.androidWebView, { $browser: 'Chrome', $os: 'Android', $device: 'mobile' }],
      [
        'Samsung Internet',
        USER_AGENTS.samsungInternet,
        { $browser: 'Samsung Internet for Android', $os: 'Android', $device: 'mobile' },
      ],
      ['Firefox on Linux', USER_AGENTS.firefoxLinux, { $browser: 'Firefox', $os: 'Linux', $device: 'desktop' }],
      ['Firefox on Ubuntu', USER_AGENTS.firefoxUbuntu, { $browser: 'Firefox', $os: 'Linux', $device: 'desktop' }],
      ['Edge on Windows', USER_AGENTS.edgeWindows, { $browser: 'Microsoft Edge', $os: 'Windows', $device: 'desktop' }],
      ['Chrome on a Chromebook', USER_AGENTS.chromeOs, { $browser: 'Chrome', $os: 'Chrome OS', $device: 'desktop' }],
      [
        'a Samsung TV',
        USER_AGENTS.samsungTv,
        { $browser: 'Samsung Internet for Android', $os: 'Tizen', $device: 'tv' },
      ],
      ['Googlebot', USER_AGENTS.googlebot, { $browser: 'Googlebot', $device: 'bot' }],
      [
        'Googlebot for smartphones',
        USER_AGENTS.googlebotSmartphone,
        { $browser: 'Googlebot', $os: 'Android', $device: 'bot' },
      ],
      ['Bingbot', USER_AGENTS.bingbot, { $browser: 'BingCrawler', $device: 'bot' }],
      ['GPTBot', USER_AGENTS.gptBot, { $browser: 'GPTBot', $device: 'bot' }],
      ['the Android SDK (an app, not a browser)', USER_AGENTS.androidSdk, { $os: 'Android' }],
      ['curl', USER_AGENTS.curl, {}],
    ])('%s', (_, userAgent, expected) => {
      const dimensions = standardDimensionsOf(analyticsJsTrack({ url: 'https://acme.io/', userAgent }, 'Viewed'));
      expect(userAgentOf(dimensions)).toEqual(expected);
    });

    it("tells Brave from Chrome by analytics.js's userAgentData, though their user agents are the same", () => {
      const visit = { url: 'https://acme.io/', userAgent: USER_AGENTS.chromeWindows };
      const chrome = standardDimensionsOf(analyticsJsPage({ ...visit, userAgentData: CHROME_USER_AGENT_DATA }));
      const brave = standardDimensionsOf(analyticsJsPage({ ...visit, userAgentData: BRAVE_USER_AGENT_DATA }));
      expect(userAgentOf(chrome)).toEqual({ $browser: 'Chrome', $os: 'Windows', $device: 'desktop' });
      expect(userAgentOf(brave)).toEqual({ $browser: 'Brave', $os: 'Windows', $device: 'desktop' });
      // Asked again, each comes from the cache under its own key.
      expect(
        userAgentOf(standardDimensionsOf(analyticsJsPage({ ...visit, userAgentData: BRAVE_USER_AGENT_DATA }))),
      ).toEqual(userAgentOf(brave));
    });

    it("cannot be made to answer for another pair of user agent and brands by one that forges the other's cache key", () => {
      const forged = uncheckedSegmentEvent({
        type: 'track',
        event: 'Opened',
        context: { userAgent: `${USER_AGENTS.chromeWindows}\u0000Brave\u0000Chromium\u0000Not_A Brand` },
      });
      expect(standardDimensionsOf(forged).$browser).not.toBe('Brave');
      const brave = analyticsJsPage({
        url: 'https://acme.io/',
        userAgent: USER_AGENTS.chromeWindows,
        userAgentData: BRAVE_USER_AGENT_DATA,
      });
      expect(standardDimensionsOf(brave).$browser).toBe('Brave');
      expect(standardDimensionsOf(forged).$browser).not.toBe('Brave');
    });

    it.each([
      ['iOS', 'iOS'],
      ['iPadOS', 'iOS'],
      ['iPhone OS', 'iOS'],
      ['Mac OS X', 'macOS'],
      ['Android', 'Android'],
      ['HarmonyOS', 'HarmonyOS'],
    ])('takes the OS of a mobile SDK that sends no user agent from context.os.name (%s)', (name, $os) => {
      const event = segmentEvent({
        type: 'screen',
        name: 'Home',
        context: { library: { name: 'analytics-swift', version: '1.7.1' }, os: { name, version: '17.6' } },
      });
      expect(userAgentOf(standardDimensionsOf(event))).toEqual({ $os });
    });

    it("prefers the user agent's OS to context.os", () => {
      const event = segmentEvent({
        type: 'track',
        event: 'Opened',
        context: { userAgent: USER_AGENTS.chromeAndroid, os: { name: 'Windows' } },
      });
      expect(standardDimensionsOf(event).$os).toBe('Android');
    });

    const chromeOnWindows = { $browser: 'Chrome', $os: 'Windows', $device: 'desktop' };
    it.each<[string, Record<string, unknown>, Record<string, string>]>([
      ['a number for a user agent', { userAgent: 42 }, {}],
      ['a blank user agent', { userAgent: '   ' }, {}],
      ['a list for a user agent', { userAgent: ['Mozilla/5.0'] }, {}],
      [
        'brands that are not a list',
        { userAgent: USER_AGENTS.chromeWindows, userAgentData: { brands: 'Brave' } },
        chromeOnWindows,
      ],
      [
        'brands that are not brands',
        { userAgent: USER_AGENTS.chromeWindows, userAgentData: { brands: [null, 7, { brand: 9 }] } },
        chromeOnWindows,
      ],
      ['an OS that is not an object', { os: 'iOS' }, {}],
    ])('ignores %s', (_, context, expected) => {
      const dimensions = standardDimensionsOf(segmentEvent({ type: 'track', event: 'Opened', context }));
      expect(userAgentOf(dimensions)).toEqual(expected);
    });
  });

  describe('$path, $referrer_host and UTM from the page', () => {
    it('reads an analytics.js page view of a campaign landing page', () => {
      const event = analyticsJsPage({
        url: 'https://acme.io/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=black+friday%202026#plans',
        referrer: 'https://mail.google.com/',
      });
      expect(pageOf(standardDimensionsOf(event))).toEqual({
        $path: '/pricing',
        $referrer_host: 'mail.google.com',
        $utm_source: 'newsletter',
        $utm_medium: 'email',
        $utm_campaign: 'black friday 2026',
      });
    });

    it.each<[string, Parameters<typeof analyticsJsPage>[0], Record<string, string>]>([
      ['a direct visit has no referrer', { url: 'https://acme.io/docs/' }, { $path: '/docs/' }],
      [
        'a query string without utm_ parameters is no campaign (analytics.js sends `campaign: {}`)',
        { url: 'https://acme.io/search?q=shoes', referrer: 'https://acme.io/' },
        { $path: '/search', $referrer_host: 'acme.io' },
      ],
      [
        'the referrer host is lower-case, without www. or a trailing dot',
        { url: 'https://acme.io/', referrer: 'https://WWW.Google.COM./search?q=acme' },
        { $path: '/', $referrer_host: 'google.com' },
      ],
      [
        'an app referrer names the app',
        { url: 'https://acme.io/', referrer: 'android-app://com.google.android.gm/' },
        { $path: '/', $referrer_host: 'com.google.android.gm' },
      ],
      [
        'an international referrer host stays in its ASCII form',
        { url: 'https://acme.io/', referrer: 'https://bücher.example/' },
        { $path: '/', $referrer_host: 'xn--bcher-kva.example' },
      ],
      ['a referrer that is not a URL is no referrer', { url: 'https://acme.io/', referrer: 'google' }, { $path: '/' }],
      [
        "the caller's context.campaign wins over the URL, whole, never mixed with it",
        {
          url: 'https://acme.io/?utm_source=google&utm_medium=cpc',
          context: { campaign: { source: 'partner-site' } },
        },
        { $path: '/', $utm_source: 'partner-site' },
      ],
    ])('%s', (_, visit, expected) => {
      expect(pageOf(standardDimensionsOf(analyticsJsPage(visit)))).toEqual(expected);
    });

    it('reads the page of a track event from context.page, but never takes its properties.url for the page', () => {
      const event = analyticsJsTrack(
        { url: 'https://acme.io/blog/launch?utm_source=hn', referrer: 'https://news.ycombinator.com/item?id=1' },
        'Link Clicked',
        { url: 'https://partner.example/offer?utm_source=acme', path: '/offer' },
      );
      expect(pageOf(standardDimensionsOf(event))).toEqual({
        $path: '/blog/launch',
        $referrer_host: 'news.ycombinator.com',
        $utm_source: 'hn',
      });
      const withoutPage = segmentEvent({
        type: 'track',
        event: 'Link Clicked',
        properties: { url: 'https://x.example/a' },
      });
      expect(pageOf(standardDimensionsOf(withoutPage))).toEqual({});
    });

    it.each([
      [
        'path, referrer and search in the properties (Python)',
        serverEvent('analytics-python', {
          type: 'page',
          name: 'Pricing',
          properties: {
            path: '/pricing',
            referrer: 'https://www.bing.com/',
            search: '?utm_source=bing&utm_medium=cpc',
          },
        }),
        { $path: '/pricing', $referrer_host: 'bing.com', $utm_source: 'bing', $utm_medium: 'cpc' },
      ],
      [
        'only a URL in the properties (Node)',
        serverEvent('@segment/analytics-node', {
          type: 'page',
          name: 'Docs',
          properties: { url: 'https://acme.io/docs/install?utm_campaign=launch&utm_source=github' },
        }),
        { $path: '/docs/install', $utm_source: 'github', $utm_campaign: 'launch' },
      ],
      [
        'a path with its query string and fragment (Node)',
        serverEvent('@segment/analytics-node', {
          type: 'page',
          properties: { path: '/pricing?plan=pro#faq' },
        }),
        { $path: '/pricing' },
      ],
    ])('reads a server-side page call with %s', (_, event, expected) => {
      expect(pageOf(standardDimensionsOf(event))).toEqual(expected);
    });

    it('prefers context.page.search to the query string of the URL for UTM', () => {
      const event = segmentEvent({
        type: 'track',
        event: 'Signed Up',
        context: { page: { url: 'https://acme.io/?utm_source=url', search: '?utm_source=search' } },
      });
      expect(standardDimensionsOf(event).$utm_source).toBe('search');
    });

    it.each([
      ['not a URL at all', 'not a url'],
      ['a relative URL', '/pricing?utm_source=x'],
      ['a URL with a broken host', 'https://exa mple.com/?utm_source=x'],
      ['a URL with a broken port', 'https://acme.io:99999/pricing'],
      ['a number', 42],
      ['an object', { href: 'https://acme.io/' }],
    ])('leaves the URL-derived dimensions absent for a malformed URL: %s', (_, url) => {
      const event = segmentEvent({ type: 'page', context: { page: { url, referrer: url } } });
      expect(standardDimensionsOf(event)).toEqual({ event: '$page' });
    });

    it('ignores a context.page or a campaign that is not an object', () => {
      const event = segmentEvent({
        type: 'track',
        event: 'Opened',
        context: { page: 'https://acme.io/', campaign: ['google'], location: 'France', library: 'analytics.js' },
      });
      expect(standardDimensionsOf(event)).toEqual({ event: 'Opened' });
    });
  });

  describe('$country from context.location.country', () => {
    it.each([
      ['United States', 'US'],
      ['US', 'US'],
      ['us', 'US'],
      ['USA', 'US'],
      ['U.S.A.', 'US'],
      ['DEU', 'DE'],
      ['germany', 'DE'],
      ['The Netherlands', 'NL'],
      ["Cote d'Ivoire", 'CI'],
      ['Côte d’Ivoire', 'CI'],
      ['Korea, Republic of', 'KR'],
      ['Syria', 'SY'],
      ['UK', 'GB'],
      ['Türkiye', 'TR'],
      ['Turkey', 'TR'],
    ])('%s is %s', (country, code) => {
      const event = segmentEvent({ type: 'track', event: 'Opened', context: { location: { country } } });
      expect(standardDimensionsOf(event).$country).toBe(code);
    });

    it.each([['Congo'], ['EU'], ['XX'], ['Atlantis'], [''], [840], ['A'.repeat(10_000)]])(
      'has no country for %j (ambiguous, not a country, or not a name)',
      (country) => {
        const event = segmentEvent({ type: 'track', event: 'Opened', context: { location: { country } } });
        expect(standardDimensionsOf(event)).not.toHaveProperty('$country');
      },
    );

    it('does not look the IP address up', () => {
      const event = segmentEvent({ type: 'track', event: 'Opened', context: { ip: '8.8.8.8' } });
      expect(standardDimensionsOf(event)).toEqual({ event: 'Opened' });
    });
  });

  describe('$library from context.library.name', () => {
    it.each([
      ['analytics.js', analyticsJsPage({ url: 'https://acme.io/' })],
      ['analytics-python', serverEvent('analytics-python', { type: 'identify', traits: { plan: 'pro' } })],
      ['@segment/analytics-node', serverEvent('@segment/analytics-node', { type: 'track', event: 'Paid' })],
    ])('%s', (library, event) => {
      expect(standardDimensionsOf(event).$library).toBe(library);
    });

    it('gives a server-side event only its name and library', () => {
      const event = serverEvent('analytics-python', {
        type: 'track',
        event: 'Invoice Paid',
        properties: { amount: 10 },
      });
      expect(standardDimensionsOf(event)).toEqual({ event: 'Invoice Paid', $library: 'analytics-python' });
    });
  });

  it('has every standard dimension for a full analytics.js page view, and nothing else', () => {
    const event = analyticsJsPage({
      url: 'https://acme.io/pricing?utm_source=google&utm_medium=cpc&utm_campaign=brand',
      referrer: 'https://www.google.com/',
      userAgent: USER_AGENTS.safariIphone,
      context: { location: { country: 'France' } },
    });
    const dimensions = standardDimensionsOf(event);
    expect(dimensions).toEqual({
      event: '$page',
      $path: '/pricing',
      $referrer_host: 'google.com',
      $utm_source: 'google',
      $utm_medium: 'cpc',
      $utm_campaign: 'brand',
      $browser: 'Safari',
      $os: 'iOS',
      $device: 'mobile',
      $country: 'FR',
      $library: 'analytics.js',
    });
    expect(Object.keys(dimensions).sort()).toEqual([...STANDARD_DIMENSIONS].sort());
  });

  describe('hostile values', () => {
    const huge = 'x'.repeat(30_000);
    const surrogatePairAtTheCut = 'a'.repeat(MAX_DIMENSION_VALUE_LENGTH - 1) + '😀' + 'tail';

    it.each([
      [
        'a 30 KB campaign name',
        { campaign: { source: huge } },
        { $utm_source: 'x'.repeat(MAX_DIMENSION_VALUE_LENGTH) },
      ],
      [
        'an emoji across the length bound',
        { campaign: { source: surrogatePairAtTheCut } },
        { $utm_source: 'a'.repeat(MAX_DIMENSION_VALUE_LENGTH - 1) },
      ],
      [
        'control characters',
        { campaign: { source: ' spring\u0001sale\r\n', medium: '\u0007' } },
        { $utm_source: 'spring sale' },
      ],
      ['a bidi override', { campaign: { source: 'moc.elgoog\u202e' } }, { $utm_source: 'moc.elgoog' }],
      [
        'a percent-encoded lone surrogate in the query string',
        { page: { search: '?utm_source=%ED%A0%80&utm_medium=%00' } },
        { $utm_source: '\ufffd\ufffd\ufffd' },
      ],
      ['a 30 KB path', { page: { path: '/' + huge } }, { $path: '/' + 'x'.repeat(MAX_DIMENSION_VALUE_LENGTH - 1) }],
      ['a 30 KB library name', { library: { name: huge } }, { $library: 'x'.repeat(MAX_DIMENSION_VALUE_LENGTH) }],
      ['empty values', { campaign: { source: '', medium: '   ' }, page: { path: '' }, library: { name: '' } }, {}],
      ['values that are not text', { campaign: { source: {}, medium: [], name: true }, page: { path: 7 } }, {}],
      ['a numeric campaign name', { campaign: { name: 2026 } }, { $utm_campaign: '2026' }],
    ])('bounds and cleans %s', (_, context, expected) => {
      const dimensions = standardDimensionsOf(segmentEvent({ type: 'track', event: 'Opened', context }));
      expect(dimensions).toEqual({ event: 'Opened', ...expected });
      expectWellFormed(dimensions);
    });

    it('parses only the start of a 30 KB user agent, and bounds what it says', () => {
      for (const userAgent of [
        `${USER_AGENTS.chromeWindows} ${huge}`,
        `${huge}/1.0 (${huge})`,
        `Mozilla/5.0 (${'('.repeat(30_000)}`,
      ]) {
        const dimensions = standardDimensionsOf(
          segmentEvent({ type: 'track', event: 'Opened', context: { userAgent } }),
        );
        expectWellFormed(dimensions);
      }
      const chrome = standardDimensionsOf(
        segmentEvent({
          type: 'track',
          event: 'Opened',
          context: { userAgent: `${USER_AGENTS.chromeWindows} ${huge}` },
        }),
      );
      expect(userAgentOf(chrome)).toEqual({ $browser: 'Chrome', $os: 'Windows', $device: 'desktop' });
    });

    it('keeps every value well-formed for user agents made of hostile characters', () => {
      for (const userAgent of [
        '\u0000'.repeat(600),
        '\u202e😀'.repeat(300),
        'Evil\u0007Bot/1.0 (x)',
        'a😀'.repeat(300) + '/1 (x',
      ]) {
        expectWellFormed(
          standardDimensionsOf(uncheckedSegmentEvent({ type: 'track', event: 'Opened', context: { userAgent } })),
        );
      }
    });
  });
});
