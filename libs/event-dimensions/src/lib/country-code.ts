// The library without its bundled languages: its main entry loads all 78 into every
// worker's heap, and only the codes and the English names are used.
import { getAlpha3Codes } from 'i18n-iso-countries/index';
import englishNames from 'i18n-iso-countries/langs/en.json';

/**
 * The ISO 3166-1 alpha-2 code of a country as clients write it in `context.location.country`:
 * the code itself in either case (`us`), the alpha-3 code (`USA`), or an English name
 * (the Segment spec's own example sends "United States"). Names are matched without
 * case, accents and punctuation (`Cote d'Ivoire`, `Côte d’Ivoire`), from the ISO names
 * and aliases `i18n-iso-countries` keeps and the everyday names of the runtime's CLDR
 * data (`Syria`, `Laos`, `Brunei`). Anything else, a name two countries share (`Congo`)
 * included, is no country: the dimension is absent rather than a value no code can match.
 */
export function countryCodeOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_NAME_LENGTH) return undefined;
  if (value.length === 2 && ALPHA_2.has(value)) return value;
  return CODE_BY_KEY.get(keyOf(value)) ?? undefined;
}

/** Longer than any country's name in the tables ("South Georgia and the South Sandwich Islands"), with room. */
const MAX_NAME_LENGTH = 80;

/** A name as it is matched: letters and digits in lower case, without accents, words split by one space, no leading "the". */
function keyOf(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’.]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .replace(/^the /, '');
}

const ALPHA_3_TO_2: Readonly<Record<string, string>> = getAlpha3Codes();
const ALPHA_2: ReadonlySet<string> = new Set(Object.values(ALPHA_3_TO_2));

/** Every key a country is known by; `null` where two countries share one. */
const CODE_BY_KEY: ReadonlyMap<string, string | null> = (() => {
  const codes = new Map<string, string | null>();
  const add = (name: string, code: string) => {
    const key = keyOf(name);
    const known = codes.get(key);
    if (key !== '') codes.set(key, known === undefined || known === code ? code : null);
  };
  const cldrNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  const isoNames: Record<string, string | string[]> = englishNames.countries;
  for (const [alpha3, alpha2] of Object.entries(ALPHA_3_TO_2)) {
    add(alpha2, alpha2);
    add(alpha3, alpha2);
    for (const name of [isoNames[alpha2] ?? []].flat()) add(name, alpha2);
    const cldrName = cldrNames.of(alpha2);
    if (cldrName !== undefined) add(cldrName, alpha2);
  }
  return codes;
})();
