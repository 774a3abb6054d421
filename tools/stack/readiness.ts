import { connect } from 'node:net';
import { sleep } from './managed-process';

/**
 * Polls `probe` until it resolves true or the deadline passes. On failure the error
 * carries `describeFailure()` — typically the last log lines of the process — so a
 * service that does not come up explains itself instead of timing out silently.
 */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  options: { timeoutMs: number; describeFailure?: () => string; isDead?: () => boolean },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error;
    }
    if (options.isDead?.()) break;
    await sleep(250);
  }
  const reason = options.isDead?.() ? 'its process exited' : `not ready within ${options.timeoutMs / 1000} s`;
  const cause = lastError instanceof Error ? ` (last probe error: ${lastError.message})` : '';
  const details = options.describeFailure ? `\n--- last log lines ---\n${options.describeFailure()}` : '';
  throw new Error(`${what}: ${reason}${cause}${details}`);
}

/** Sends `request` over TCP and resolves with whatever arrives first (or rejects). */
export function tcpExchange(host: string, port: number, request: string | null, timeoutMs = 1_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const done = (fn: () => void) => {
      socket.destroy();
      fn();
    };
    socket.setTimeout(timeoutMs, () => done(() => reject(new Error(`no answer from ${host}:${port}`))));
    socket.once('error', (e) => done(() => reject(e)));
    socket.once('connect', () => {
      if (request === null) done(() => resolve(''));
      else socket.write(request);
    });
    socket.once('data', (data) => done(() => resolve(data.toString('utf8'))));
  });
}

export async function httpOk(url: string, timeoutMs = 2_000): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return response.ok;
}
