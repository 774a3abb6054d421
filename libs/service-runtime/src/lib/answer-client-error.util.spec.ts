import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { answerClientError, clientErrorAnswer, requestTimeoutServerOptions } from './answer-client-error.util';

const timeoutError = Object.assign(new Error('request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });

describe('clientErrorAnswer', () => {
  it('answers a request not received in time with 408 in the common error shape, closing the connection', () => {
    const answer = clientErrorAnswer(timeoutError, 2_000);
    const [head, body] = answer.split('\r\n\r\n') as [string, string];
    expect(head.split('\r\n')).toEqual([
      'HTTP/1.1 408 Request Timeout',
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
    ]);
    expect(JSON.parse(body)).toEqual({
      statusCode: 408,
      error: 'Request Timeout',
      message: 'the request was not received in full within 2 s',
      requestId: expect.any(String),
    });
  });

  it('names oversized headers and bytes that are not HTTP', () => {
    expect(clientErrorAnswer(Object.assign(new Error('x'), { code: 'HPE_HEADER_OVERFLOW' }), 1_000)).toMatch(
      /^HTTP\/1.1 431 /,
    );
    expect(clientErrorAnswer(Object.assign(new Error('x'), { code: 'HPE_INVALID_METHOD' }), 1_000)).toContain(
      '"message":"the request is not valid HTTP"',
    );
  });
});

describe('requestTimeoutServerOptions with answerClientError', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer(requestTimeoutServerOptions(1_000), (request, response) => {
      request.resume();
      request.on('end', () => response.end('done'));
    });
    server.on('clientError', answerClientError(1_000));
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((closed) => server.close(() => closed())));

  it('cuts off a body sent a byte at a time with 408 soon after the timeout', async () => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n');
    const trickle = setInterval(() => socket.writable && socket.write('x'), 200);
    const startedAt = Date.now();
    await new Promise((closed) => socket.on('close', closed));
    clearInterval(trickle);
    expect(Date.now() - startedAt).toBeLessThan(4_000);
    expect(received).toMatch(/^HTTP\/1.1 408 Request Timeout\r\n/);
  }, 10_000);

  it('leaves a request that arrives in time alone', async () => {
    const answer = await new Promise<string>((done, fail) => {
      const request = httpRequest({ port, host: '127.0.0.1', method: 'POST' }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        response.on('end', () => done(text));
      });
      request.on('error', fail);
      request.end('body');
    });
    expect(answer).toBe('done');
  });
});
