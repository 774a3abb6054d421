import type { EventEmitter } from 'node:events';

/**
 * Node prints process warnings (deprecations, a library's MaxListenersExceeded, a
 * Fastify FSTWRN…) to stderr as plain text, outside the JSON log. This takes over that
 * printing: each warning becomes one JSON line with the app's service and version, so
 * log pipelines parse it and it is not lost among non-JSON noise.
 */
export function logProcessWarnings(
  logger: { warn(fields: object, message: string): void },
  emitter: Pick<EventEmitter, 'on' | 'removeAllListeners'> = process,
): void {
  // Node's own printer is the one listener it installs for 'warning'.
  emitter.removeAllListeners('warning');
  emitter.on('warning', (warning: Error) => {
    logger.warn({ warning: { name: warning.name, message: warning.message, stack: warning.stack } }, 'process warning');
  });
}
