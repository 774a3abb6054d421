import { z } from 'zod';

/** Shared field parsers for environment variables: every value arrives as a string. */

/** A whole number within [min, max], with a default. */
export const intField = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

export const portField = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

export const hostField = (fallback: string) => z.string().min(1).default(fallback);

export const urlField = (fallback: string, protocols: readonly string[]) =>
  z
    .string()
    .default(fallback)
    .refine((v) => URL.canParse(v) && protocols.includes(new URL(v).protocol), {
      message: `must be a URL with protocol ${protocols.join(' or ')}`,
    });

export const logLevelField = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

/** Comma-separated list of host:port pairs, e.g. `127.0.0.1:9092,kafka-2:9092`. */
export const hostPortListField = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine((list) => list.length > 0 && list.every((hp) => /^[^\s:]+:\d{1,5}$/.test(hp)), {
      message: 'must be a comma-separated list of host:port',
    });

/**
 * Words that mark a value as one written to be replaced — the example manifests' own
 * placeholders among them. A token containing one is refused, case-insensitively.
 */
export const PLACEHOLDER_WORDS: readonly string[] = ['change-me', 'changeme', 'replace', 'example', 'placeholder'];

/** Fewer different characters than this is a typed-in token (`aaaa…`, `abab…`), not a generated one. */
export const MIN_DISTINCT_TOKEN_CHARACTERS = 8;

/**
 * A secret an operator generates, e.g. with `openssl rand -base64 32`. Boot refuses one
 * that is too short, contains a placeholder word, or has fewer than
 * MIN_DISTINCT_TOKEN_CHARACTERS different characters: without this an example's
 * placeholder, which anyone can read, boots as the real token. It catches the obvious
 * only; it is no strength meter. A generated token passes: 32 random hex digits have
 * fewer than 8 different ones with a chance of 4 in 100 million, the 44 characters of
 * `openssl rand -base64 32` with one of about 1e-33.
 */
export const secretTokenField = (minLength: number) =>
  z.string().superRefine((value, ctx) => {
    const problem = secretTokenProblem(value, minLength);
    if (problem)
      ctx.addIssue({ code: 'custom', message: `${problem}; generate one, e.g. \`openssl rand -base64 32\`` });
  });

function secretTokenProblem(value: string, minLength: number): string | undefined {
  if (value.length < minLength) return `must be at least ${minLength} characters`;
  const word = PLACEHOLDER_WORDS.find((w) => value.toLowerCase().includes(w));
  if (word) return `looks like a placeholder (contains "${word}")`;
  if (new Set(value).size < MIN_DISTINCT_TOKEN_CHARACTERS)
    return `has fewer than ${MIN_DISTINCT_TOKEN_CHARACTERS} different characters`;
  return undefined;
}

/** Fields every Tally service accepts, whatever it does. */
export const serviceEnvFields = {
  HTTP_HOST: hostField('0.0.0.0'),
  /** A request whose headers and body have not all arrived by then is answered 408 and cut off (slow clients). */
  HTTP_REQUEST_TIMEOUT_MS: intField(1_000, 600_000, 30_000),
  LOG_LEVEL: logLevelField,
  SERVICE_VERSION: z.string().min(1).default('dev'),
};
