import Bowser from 'bowser';
import { isDeviceType, type DeviceType } from './device-type';
import { cutAt, boundedTextOf } from './bounded-text.util';
import { setPresent, type DimensionsDraft } from './dimensions-draft';
import { LruCache } from './lru-cache';
import { isRecord } from './record.util';

/** What a user agent says of the browser, its operating system and the kind of device. */
interface UserAgentDimensions {
  readonly $browser?: string;
  readonly $os?: string;
  readonly $device?: DeviceType;
}

/**
 * The part of a user agent that is parsed. Real ones are a few hundred characters at
 * most, in-app browsers' suffixes included, and name browser, OS and device first.
 * Bowser's cost grows with the length (docs/decisions/0008-standard-dimensions.md) and
 * a tenant may send a 30 KB one with every event, so the rest is ignored.
 */
const MAX_PARSED_LENGTH = 512;

/**
 * Parsed user agents, shared by every tenant of the process: real traffic repeats a few
 * hundred user agents, and a hit costs a small fraction of a parse (measured in 0008).
 * 1,000 entries of at most 1 KB each bound the memory. A tenant sending a new user agent
 * with every event makes its own events pay for a parse, and pushes others' entries out.
 */
const PARSED = new LruCache<string, UserAgentDimensions>(1_000);

const NONE: UserAgentDimensions = Object.freeze({});
const ANDROID_APP: UserAgentDimensions = Object.freeze({ $os: 'Android' });

/**
 * `$browser`, `$os` and `$device` from `context.userAgent`, refined by
 * `context.userAgentData` (what analytics.js sends from `navigator.userAgentData`): its
 * brands tell Brave apart from Chrome, whose user agent it copies. Without a user agent
 * (the mobile SDKs other than Android send none) the OS comes from `context.os.name`.
 */
export function addUserAgentDimensions(draft: DimensionsDraft, context: Record<string, unknown>): void {
  const userAgent = context['userAgent'];
  const parsed = typeof userAgent === 'string' && userAgent.trim() !== '' ? parsedUserAgent(userAgent, context) : NONE;
  setPresent(draft, '$browser', parsed.$browser);
  setPresent(draft, '$os', parsed.$os ?? osNameOf(context['os']));
  setPresent(draft, '$device', parsed.$device);
}

function parsedUserAgent(userAgent: string, context: Record<string, unknown>): UserAgentDimensions {
  // No browser sends a NUL (it cannot be in a header), so NUL can separate the brands from
  // the user agent in the cache key: one dropped from both, no two pairs share a key.
  const cut = cutAt(userAgent, MAX_PARSED_LENGTH);
  const agent = cut.includes('\u0000') ? cut.replaceAll('\u0000', '') : cut;
  const brands = brandsOf(context['userAgentData']);
  const key = brands.length === 0 ? agent : `${agent}\u0000${brands.map((b) => b.brand).join('\u0000')}`;
  let parsed = PARSED.get(key);
  if (parsed === undefined) {
    parsed = parse(agent, brands);
    PARSED.set(key, parsed);
  }
  return parsed;
}

function parse(userAgent: string, brands: Brand[]): UserAgentDimensions {
  // The Android SDK (analytics-kotlin) sends the JVM's `http.agent`, `Dalvik/2.1.0 (Linux; U;
  // Android 13; Pixel 7 …)`: an app, not a browser, and no word of phone or tablet. Bowser
  // reads it as "Android Browser" on a tablet; only the OS is known.
  if (userAgent.startsWith('Dalvik/')) return ANDROID_APP;
  let parser: Bowser.Parser.Parser;
  try {
    parser = Bowser.getParser(userAgent, brands.length === 0 ? undefined : { brands });
  } catch {
    // A parser bug on one hostile user agent must not fail the event: it has no user-agent dimensions.
    return NONE;
  }
  const $browser = boundedTextOf(parser.getBrowserName());
  const $os = boundedTextOf(parser.getOSName());
  const $device = deviceTypeOf(parser.getPlatformType());
  return Object.freeze({
    ...($browser !== undefined && { $browser }),
    ...($os !== undefined && { $os }),
    ...($device !== undefined && { $device }),
  });
}

const deviceTypeOf = (type: string): DeviceType | undefined => (isDeviceType(type) ? type : undefined);

interface Brand {
  brand: string;
  version: string;
}

/** Brands of a client-hints object (`{ brands: [{ brand, version }], mobile, platform }`), at most a few, bounded. */
function brandsOf(userAgentData: unknown): Brand[] {
  if (!isRecord(userAgentData) || !Array.isArray(userAgentData['brands'])) return [];
  const brands: Brand[] = [];
  for (const entry of userAgentData['brands'].slice(0, MAX_BRANDS)) {
    if (!isRecord(entry)) continue;
    const brand = entry['brand'];
    const version = entry['version'];
    if (typeof brand === 'string' && brand.length <= MAX_BRAND_LENGTH && !brand.includes('\u0000')) {
      brands.push({ brand, version: typeof version === 'string' ? version.slice(0, MAX_BRAND_LENGTH) : '' });
    }
  }
  return brands;
}

/** Browsers send three or four brands (one of them a random "Not A;Brand"), each a short name. */
const MAX_BRANDS = 8;
const MAX_BRAND_LENGTH = 64;

/**
 * `context.os.name` in the names Bowser gives the same systems, so an iPhone counts as
 * one OS whether its events came from Safari or from an app: analytics-swift sends
 * `UIDevice.systemName` ("iOS", "iPadOS"), older SDKs and the Segment spec "iPhone OS".
 */
function osNameOf(os: unknown): string | undefined {
  if (!isRecord(os)) return undefined;
  const name = boundedTextOf(os['name']);
  return name === undefined ? undefined : (OS_ALIASES.get(name.toLowerCase()) ?? name);
}

const OS_ALIASES: ReadonlyMap<string, string> = new Map([
  ['ios', 'iOS'],
  ['ipados', 'iOS'],
  ['iphone os', 'iOS'],
  ['macos', 'macOS'],
  ['mac os', 'macOS'],
  ['mac os x', 'macOS'],
  ['os x', 'macOS'],
  ['android', 'Android'],
  ['windows', 'Windows'],
  ['linux', 'Linux'],
]);
