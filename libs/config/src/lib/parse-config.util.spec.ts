import { z } from 'zod';
import { hostPortListField, portField, urlField } from './env-fields.schema';
import { ConfigError, parseConfig } from './parse-config.util';

const schema = z.object({
  PORT: portField(3000),
  REDIS_URL: urlField('redis://127.0.0.1:6379', ['redis:']),
  KAFKA_BROKERS: hostPortListField('127.0.0.1:9092'),
  ADMIN_TOKEN: z.string().min(32),
});

describe('parseConfig', () => {
  it('applies defaults and coerces types', () => {
    const config = parseConfig('svc', schema, { ADMIN_TOKEN: 'x'.repeat(32), KAFKA_BROKERS: 'a:1, b:2' });
    expect(config).toEqual({
      PORT: 3000,
      REDIS_URL: 'redis://127.0.0.1:6379',
      KAFKA_BROKERS: ['a:1', 'b:2'],
      ADMIN_TOKEN: 'x'.repeat(32),
    });
  });

  it('lists every bad variable in one error, naming each', () => {
    const attempt = () =>
      parseConfig('svc', schema, { PORT: '70000', REDIS_URL: 'http://nope', KAFKA_BROKERS: 'no-port' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const { problems, message } = error as ConfigError;
      expect(problems.map((p) => p.split(':')[0])).toEqual(['PORT', 'REDIS_URL', 'KAFKA_BROKERS', 'ADMIN_TOKEN']);
      expect(message).toContain('svc: invalid configuration (4 problems)');
      expect(message).toContain('"70000"');
    }
  });

  it('never echoes the value of a secret variable', () => {
    expect(() => parseConfig('svc', schema, { ADMIN_TOKEN: 'short-secret' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('short-secret') }),
    );
  });
});
