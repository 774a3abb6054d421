import { KAFKA_LOG_REPEAT_WINDOW_MS, createKafkaClient, type KafkaLogSink } from './create-kafka-client.util';

describe('createKafkaClient', () => {
  const config = { clientId: 'spec', brokers: ['127.0.0.1:1'] };

  function recordingSink(): KafkaLogSink & { lines: Array<[string, object, string]> } {
    const lines: Array<[string, object, string]> = [];
    return {
      lines,
      error: (fields, message) => lines.push(['error', fields, message]),
      warn: (fields, message) => lines.push(['warn', fields, message]),
      info: (fields, message) => lines.push(['info', fields, message]),
      debug: (fields, message) => lines.push(['debug', fields, message]),
    };
  }

  it("writes kafkajs's lines through the given sink, with its fields and without its timestamp", () => {
    const sink = recordingSink();
    const logger = createKafkaClient(config, sink).logger().namespace('Producer');

    logger.error('coordinator is loading', { retryCount: 2, broker: 'b:9092' });
    logger.warn('rebalancing');

    expect(sink.lines).toEqual([
      ['error', { kafkajs: { namespace: 'Producer', retryCount: 2, broker: 'b:9092' } }, 'coordinator is loading'],
      ['warn', { kafkajs: { namespace: 'Producer' } }, 'rebalancing'],
    ]);
  });

  it('keeps below-WARN chatter out, as before', () => {
    const sink = recordingSink();
    const logger = createKafkaClient(config, sink).logger();

    logger.info('connected');
    logger.debug('request sent');

    expect(sink.lines).toEqual([]);
  });

  describe('during an outage', () => {
    beforeEach(() => jest.useFakeTimers({ now: Date.parse('2026-11-28T12:00:00Z') }));
    afterEach(() => jest.useRealTimers());

    it('writes a repeated line once per window, then says how many were held back', () => {
      const sink = recordingSink();
      const logger = createKafkaClient(config, sink).logger().namespace('Connection');
      const refused = () =>
        logger.error('Connection error: connect ECONNREFUSED', { error: 'ECONNREFUSED', stack: 's' });

      for (let attempt = 0; attempt < 40; attempt++) {
        refused();
        jest.advanceTimersByTime(200); // 40 attempts over 8 s: inside one window
      }
      logger.error('Connection timeout', { error: 'timeout' }); // another line is written at once
      jest.advanceTimersByTime(KAFKA_LOG_REPEAT_WINDOW_MS);
      refused();

      expect(
        sink.lines.map(([level, fields, message]) => [
          level,
          message,
          'repeatedUnwritten' in fields ? fields.repeatedUnwritten : 0,
        ]),
      ).toEqual([
        ['error', 'Connection error: connect ECONNREFUSED', 0],
        ['error', 'Connection timeout', 0],
        ['error', 'Connection error: connect ECONNREFUSED', 39],
      ]);
    });
  });
});
