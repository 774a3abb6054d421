import type { SegmentEvent } from '@tally/contracts';
import { boundedTextOf } from './bounded-text.util';
import { setPresent, type DimensionsDraft } from './dimensions-draft';
import { recordAt } from './record.util';

/**
 * `$path`, `$referrer_host` and the UTM dimensions: where on the web an event happened
 * and how the visitor got there.
 *
 * The page is read from `context.page` first — analytics.js fills it on every call, from
 * a page call's own properties where there are some, so it is the resolved view — then,
 * for page calls only, from `properties` (what server-side libraries send). A track
 * event's `properties.url` is the tenant's own data (the link clicked, the product
 * shown), not the page it happened on.
 */
export function addPageDimensions(draft: DimensionsDraft, event: SegmentEvent): void {
  const page = recordAt(event.context, 'page');
  const properties = event.type === 'page' ? event.properties : undefined;
  if (page === undefined && properties === undefined) {
    addCampaign(draft, recordAt(event.context, 'campaign'));
    return;
  }
  const url = pageField(page, properties, 'url');
  // The URL is parsed at most once, and only when a field the client did not send must come from it.
  let parsedUrl: URL | null | undefined;

  let path = pathOf(pageField(page, properties, 'path'));
  if (path === undefined) path = pathOf((parsedUrl = absoluteUrlOf(url))?.pathname);
  setPresent(draft, '$path', path);
  setPresent(draft, '$referrer_host', hostOf(pageField(page, properties, 'referrer')));
  if (addCampaign(draft, recordAt(event.context, 'campaign'))) return;
  const search = pageField(page, properties, 'search');
  if (typeof search === 'string') addCampaignOfQuery(draft, search);
  else addCampaignOfQuery(draft, (parsedUrl === undefined ? absoluteUrlOf(url) : parsedUrl)?.search);
}

/**
 * A field of the page from `context.page`, else from the page call's `properties`.
 * analytics.js sends `referrer: ""` and `search: ""` for a direct visit: that is no
 * value, not one to prefer.
 */
function pageField(
  page: Record<string, unknown> | undefined,
  properties: Record<string, unknown> | undefined,
  name: 'path' | 'url' | 'referrer' | 'search',
): unknown {
  const fromPage = page?.[name];
  if (fromPage !== undefined && fromPage !== '') return fromPage;
  const fromProperties = properties?.[name];
  return fromProperties === '' ? undefined : fromProperties;
}

/** The path alone: a server-side library may send `/pricing?plan=pro#faq`, and the query would make every visit a value of its own. */
function pathOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const end = value.search(/[?#]/);
  return boundedTextOf(end === -1 ? value : value.slice(0, end));
}

function absoluteUrlOf(value: unknown): URL | null {
  if (typeof value !== 'string') return null;
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/**
 * The host a visitor came from, lower-case, without a trailing dot or a leading `www.`:
 * `https://www.Google.com/` and `https://google.com./search` are one referrer, as in
 * Plausible's sources. International names stay in their ASCII (punycode) form, the one
 * that cannot hide a look-alike letter. `android-app://com.google.android.gm/` gives the
 * app's id, which is what such a referrer names.
 */
function hostOf(referrer: unknown): string | undefined {
  const host = absoluteUrlOf(referrer)?.hostname.toLowerCase();
  if (!host) return undefined;
  const bare = host.endsWith('.') ? host.slice(0, -1) : host;
  return boundedTextOf(bare.startsWith('www.') ? bare.slice(4) : bare);
}

/**
 * `context.campaign` in Segment's names (`source`, `medium`, `name` for utm_campaign).
 * analytics.js fills it from the page's query string, as `{}` when that has no `utm_`
 * parameter: a campaign with none of the three is no campaign. One that has any is
 * taken whole, never mixed with the URL's: a tenant that sends its own (first-touch)
 * campaign means all of it. Says whether there was one.
 */
function addCampaign(draft: DimensionsDraft, campaign: Record<string, unknown> | undefined): boolean {
  if (campaign === undefined) return false;
  return addUtm(
    draft,
    boundedTextOf(campaign['source']),
    boundedTextOf(campaign['medium']),
    boundedTextOf(campaign['name']),
  );
}

/** The `utm_` parameters of the page's query string (`search`, else the URL's), for clients that send no campaign. */
function addCampaignOfQuery(draft: DimensionsDraft, query: string | undefined): void {
  if (query === undefined || !query.includes('utm_')) return;
  const params = new URLSearchParams(query);
  addUtm(
    draft,
    boundedTextOf(params.get('utm_source')),
    boundedTextOf(params.get('utm_medium')),
    boundedTextOf(params.get('utm_campaign')),
  );
}

function addUtm(
  draft: DimensionsDraft,
  source: string | undefined,
  medium: string | undefined,
  campaign: string | undefined,
): boolean {
  setPresent(draft, '$utm_source', source);
  setPresent(draft, '$utm_medium', medium);
  setPresent(draft, '$utm_campaign', campaign);
  return source !== undefined || medium !== undefined || campaign !== undefined;
}
