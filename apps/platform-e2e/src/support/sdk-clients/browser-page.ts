import { createReadStream, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join, normalize } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { SDK_CLIENTS, requireSdkClient } from '@tally/testing';

/** analytics.js as its npm package ships it for a plain <script> tag (global `AnalyticsNext`), and its lazy chunks. */
const ANALYTICS_NEXT_UMD = join(dirname(require.resolve('@segment/analytics-next/package.json')), 'dist', 'umd');

/**
 * A tenant's web page on an origin of its own (another port than ingest-api's, so the
 * browser applies CORS for real), with analytics.js loaded from its npm package.
 */
export class TenantSite {
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(port: number): Promise<TenantSite> {
    const server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      if (path === '/') {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<!doctype html><title>tenant site</title><script src="/index.js"></script><h1>shop</h1>');
        return;
      }
      const file = normalize(join(ANALYTICS_NEXT_UMD, path));
      if (!file.startsWith(ANALYTICS_NEXT_UMD) || !existsSync(file)) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'text/javascript' });
      createReadStream(file).pipe(response);
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return new TenantSite(server, `http://127.0.0.1:${port}/`);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Debian's Chromium, headless, as the machine's notes say it runs here. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: requireSdkClient(SDK_CLIENTS.chromium),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Every response the page got from `origin`, by status, and every request to it that failed in the browser. */
export function watchRequestsTo(page: Page, origin: string): { statuses: Map<number, number>; failures: string[] } {
  const statuses = new Map<number, number>();
  const failures: string[] = [];
  page.on('response', (response) => {
    if (!response.url().startsWith(origin)) return;
    statuses.set(response.status(), (statuses.get(response.status()) ?? 0) + 1);
  });
  page.on('requestfailed', (request) => {
    if (request.url().startsWith(origin))
      failures.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText}`);
  });
  return { statuses, failures };
}
