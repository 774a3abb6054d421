import { Agent, request } from 'node:http';
import { connect } from 'node:net';

/** What a server said on a raw connection, and how long it kept the connection open. */
export interface RawAnswer {
  readonly status: number | undefined;
  readonly head: string;
  readonly body: string;
  readonly closedAfterMs: number;
}

/**
 * Writes `bytes` on a fresh TCP connection as they are (fetch cannot send a broken
 * request line or hold a body back), then reads until the server closes or `giveUpMs`.
 */
export function sendRawBytes(port: number, bytes: Buffer | string, giveUpMs = 20_000): Promise<RawAnswer> {
  return trickleRequest(port, bytes, '', { everyMs: giveUpMs, giveUpMs });
}

/**
 * The slow-loris client: sends `head` at once, then `tail` one byte every `everyMs`
 * (and then nothing) until the server closes the connection, or `giveUpMs` passes.
 */
export function trickleRequest(
  port: number,
  head: Buffer | string,
  tail: string,
  options: { everyMs: number; giveUpMs: number },
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const startedAt = Date.now();
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let sent = 0;
    const trickle = setInterval(() => {
      if (sent < tail.length && socket.writable) socket.write(tail[sent++] as string);
    }, options.everyMs);
    const giveUp = setTimeout(() => socket.destroy(), options.giveUpMs);
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => undefined); // a reset is an answer too: the connection is over
    socket.on('close', () => {
      clearInterval(trickle);
      clearTimeout(giveUp);
      const text = Buffer.concat(received).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const head = split < 0 ? text : text.slice(0, split);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
      resolve({
        status: status === undefined ? undefined : Number(status),
        head,
        body: split < 0 ? '' : text.slice(split + 4),
        closedAfterMs: Date.now() - startedAt,
      });
    });
    socket.write(head);
  });
}

/** One `GET /v1/live` attempt: an open stream (close it with `close`) or a refusal with its body. */
export interface LiveAttempt {
  readonly status: number;
  readonly body: string;
  readonly answeredAfterMs: number;
  readonly firstFrame: Promise<string>;
  close(): void;
}

const noPooling = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });

/**
 * Opens `/v1/live` on its own connection, resolving once the status is known; with
 * `abortAfterMs`, hangs up that long after sending the request (it then rejects).
 */
export function openLive(port: number, readKey: string, options: { abortAfterMs?: number } = {}): Promise<LiveAttempt> {
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const req = request(
      { host: '127.0.0.1', port, path: '/v1/live', agent: noPooling, headers: { authorization: `Bearer ${readKey}` } },
      (response) => {
        const status = response.statusCode ?? 0;
        const answeredAfterMs = Date.now() - startedAt;
        const close = () => req.destroy();
        if (status === 200) {
          const firstFrame = new Promise<string>((frame) => {
            let text = '';
            response.on('data', (chunk: Buffer) => {
              text += chunk.toString('utf8');
              const data = /^data: (.+)$/m.exec(text);
              if (data) frame(data[1] as string);
            });
          });
          resolve({ status, body: '', answeredAfterMs, firstFrame, close });
          return;
        }
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        response.on('end', () => resolve({ status, body, answeredAfterMs, firstFrame: Promise.resolve(''), close }));
      },
    );
    req.on('error', reject);
    req.end();
    if (options.abortAfterMs !== undefined) setTimeout(() => req.destroy(new Error('hung up')), options.abortAfterMs);
  });
}
