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

/** Fields every Tally service accepts, whatever it does. */
export const serviceEnvFields = {
  HTTP_HOST: hostField('0.0.0.0'),
  /** A request whose headers and body have not all arrived by then is answered 408 and cut off (slow clients). */
  HTTP_REQUEST_TIMEOUT_MS: intField(1_000, 600_000, 30_000),
  LOG_LEVEL: logLevelField,
  SERVICE_VERSION: z.string().min(1).default('dev'),
};
