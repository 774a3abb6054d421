import { createKafkaClient, type KafkaLogSink } from './create-kafka-client.util';

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
});
