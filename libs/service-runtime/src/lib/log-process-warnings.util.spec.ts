import { EventEmitter } from 'node:events';
import { logProcessWarnings } from './log-process-warnings.util';

describe('logProcessWarnings', () => {
  // Jest gives tests a copy of `process`, so the real one's warnings cannot be observed here: a stand-in plays it.
  it("writes each warning through the logger in place of Node's plain-text printer", () => {
    const node = new EventEmitter();
    const printed: Error[] = [];
    node.on('warning', (warning: Error) => printed.push(warning));
    const lines: Array<[object, string]> = [];

    const logger = { warn: (fields: object, message: string) => void lines.push([fields, message]) };
    logProcessWarnings(logger, node);
    const warning = Object.assign(new Error('11 connect listeners added'), { name: 'MaxListenersExceededWarning' });
    node.emit('warning', warning);

    expect(printed).toEqual([]);
    expect(lines).toEqual([
      [
        {
          warning: { name: 'MaxListenersExceededWarning', message: '11 connect listeners added', stack: warning.stack },
        },
        'process warning',
      ],
    ]);
  });
});
