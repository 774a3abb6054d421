import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ConfigError, parseConfig } from './parse-config.util';
import { tenancyConfigFrom, tenancyEnvFields } from './tenancy-env.schema';

const schema = z.object(tenancyEnvFields).transform(tenancyConfigFrom);
const boot = (ADMIN_TOKEN: string | undefined) => parseConfig('svc', schema, { ADMIN_TOKEN });

/** The one line of the boot error about ADMIN_TOKEN, or undefined when it boots. */
function adminTokenProblem(token: string): string | undefined {
  try {
    boot(token);
    return undefined;
  } catch (error) {
    return (error as ConfigError).problems.find((p) => p.startsWith('ADMIN_TOKEN: '));
  }
}

describe('ADMIN_TOKEN', () => {
  it('is optional: unset, the admin API is off', () => {
    expect(boot(undefined).adminToken).toBeUndefined();
  });

  it.each([
    ['openssl rand -base64 32', randomBytes(32).toString('base64')],
    ['openssl rand -hex 16', randomBytes(16).toString('hex')],
    ['a base64url token', randomBytes(24).toString('base64url')],
  ])('accepts a generated token (%s)', (_, token) => {
    expect(boot(token).adminToken).toBe(token);
  });

  it.each([
    ['shorter than 32 characters', 'Zq8#rT2!mW9x', /must be at least 32 characters/],
    [
      'the old example overlay value',
      'change-me-change-me-change-me-change-me',
      /placeholder \(contains "change-me"\)/,
    ],
    ['"changeme"', 'CHANGEME0123456789abcdefghijklmnop', /placeholder \(contains "changeme"\)/],
    ['"replace"', 'replace-with-the-output-of-openssl-rand', /placeholder \(contains "replace"\)/],
    ['"example"', 'k3Lx9QvT-example-admin-token-7hWp2', /placeholder \(contains "example"\)/],
    ['"placeholder"', 'placeholder-token-5fJ2mQ8zR1vX7cN4', /placeholder \(contains "placeholder"\)/],
    ['one character repeated', 'x'.repeat(32), /fewer than 8 different characters/],
    ['a short pattern repeated', 'ab12'.repeat(10), /fewer than 8 different characters/],
  ])('refuses a token %s, naming ADMIN_TOKEN and how to make one', (_, token, reason) => {
    const problem = adminTokenProblem(token);
    expect(problem).toMatch(reason);
    expect(problem).toContain('openssl rand -base64 32');
    expect(problem).not.toContain(token);
  });
});
