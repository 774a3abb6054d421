import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually, startApp, testEnvironment, uniqueName, type RunningApp } from '@tally/testing';

const run = promisify(execFile);
const REPO_ROOT = join(__dirname, '..', '..', '..');

/** `npm run tenant -- …` as an operator runs it. */
async function tenantCli(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'tools', 'bootstrap.mjs'), 'tenant', ...args], {
    cwd: REPO_ROOT,
  });
  return stdout;
}

describe('tenant provisioning: admin API and CLI', () => {
  const env = testEnvironment();
  const adminToken = randomBytes(24).toString('base64url');
  const base = `http://127.0.0.1:${env.appPorts['aggregation-api']}`;
  let app: RunningApp;

  /** `token: null` sends no Authorization header at all. */
  const admin = (path: string, init: RequestInit = {}, token: string | null = adminToken) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: {
        ...(init.body ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });

  beforeAll(async () => {
    app = startApp('aggregation-api', { ADMIN_TOKEN: adminToken, LOG_LEVEL: 'info' });
    await eventually(async () => expect((await fetch(`${base}/health/ready`)).status).toBe(200), 60_000);
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('refuses the admin API without the admin token, or with a wrong one', async () => {
    expect((await admin('/admin/tenants', {}, null)).status).toBe(401);
    expect((await admin('/admin/tenants', {}, 'x'.repeat(40))).status).toBe(401);
  });

  it('creates a tenant, showing its keys once, and lists it without them', async () => {
    const name = uniqueName('api-tenant');
    const response = await admin('/admin/tenants', { method: 'POST', body: JSON.stringify({ name }) });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { tenantId: string; writeKey: string; readKey: string };
    expect(created).toEqual({
      tenantId: expect.stringMatching(/^t_/),
      name,
      writeKey: expect.stringMatching(/^tly_w_/),
      readKey: expect.stringMatching(/^tly_r_/),
    });

    const listed = await (await admin('/admin/tenants')).text();
    expect(listed).toContain(created.tenantId);
    expect(listed).not.toContain(created.writeKey);
    expect(listed).not.toContain(created.readKey);

    const rotated = (await (
      await admin(`/admin/tenants/${created.tenantId}/keys/read/rotate`, { method: 'POST' })
    ).json()) as { key: string };
    expect(rotated.key).toMatch(/^tly_r_/);
    expect(rotated.key).not.toBe(created.readKey);

    const disabled = await admin(`/admin/tenants/${created.tenantId}/disable`, { method: 'POST' });
    expect(await disabled.json()).toMatchObject({ tenantId: created.tenantId, status: 'disabled' });

    // Keys never reach the logs, whatever path they took.
    expect(app.output()).not.toContain(created.writeKey);
    expect(app.output()).not.toContain(rotated.key);
    expect(app.output()).not.toContain(adminToken);
  });

  it('answers bad requests with 400 naming the field, and unknown tenants with 404', async () => {
    const bad = await admin('/admin/tenants', { method: 'POST', body: JSON.stringify({ name: '', extra: 1 }) });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { problems: { field: string }[]; requestId: string; statusCode: number };
    expect(body.statusCode).toBe(400);
    expect(body.problems.map((p) => p.field)).toEqual(expect.arrayContaining(['name']));
    expect(body.requestId).toBeTruthy();

    expect((await admin('/admin/tenants/not-an-id')).status).toBe(400);
    expect((await admin('/admin/tenants/t_aaaaaaaaaaaaaaaaaaaa')).status).toBe(404);
    expect((await admin('/admin/tenants/t_aaaaaaaaaaaaaaaaaaaa/keys/admin/rotate', { method: 'POST' })).status).toBe(
      400,
    );
  });

  it('reads JSON bodies as ingest-api does: invalid UTF-8, prototype keys and broken JSON get 400 saying so', async () => {
    const post = async (body: Buffer | string) => {
      const response = await admin('/admin/tenants', { method: 'POST', body });
      return { status: response.status, body: (await response.json()) as { message: string; statusCode: number } };
    };
    // "Acme" with a byte that is never UTF-8 in it: decoded, it would have been stored as "Ac\uFFFDme".
    const name = Buffer.concat([Buffer.from('{"name":"Ac'), Buffer.from([0xff]), Buffer.from('me"}')]);
    expect(await post(name)).toEqual({
      status: 400,
      body: expect.objectContaining({ statusCode: 400, message: 'malformed JSON: the body is not valid UTF-8' }),
    });
    expect((await post('{"name":"x","__proto__":{"admin":true}}')).body.message).toBe(
      'malformed JSON: Object contains forbidden prototype property',
    );
    expect((await post('{"name":')).body.message).toMatch(/^malformed JSON: /);
  });

  it('npm run tenant -- create --json prints exactly one JSON object with the keys, and the other commands work', async () => {
    const name = uniqueName('cli-tenant');
    const stdout = await tenantCli('create', name, '--json');
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const created = JSON.parse(stdout) as { tenantId: string; writeKey: string; readKey: string; name: string };
    expect(created).toMatchObject({
      name,
      tenantId: expect.stringMatching(/^t_/),
      writeKey: expect.stringMatching(/^tly_w_/),
    });

    const listed = JSON.parse(await tenantCli('list', '--json')) as { tenants: { tenantId: string; status: string }[] };
    expect(listed.tenants).toContainEqual(expect.objectContaining({ tenantId: created.tenantId, status: 'active' }));

    const rotated = JSON.parse(await tenantCli('rotate-key', created.tenantId, 'write', '--json')) as { key: string };
    expect(rotated.key).toMatch(/^tly_w_/);

    const disabled = JSON.parse(await tenantCli('disable', created.tenantId, '--json')) as { status: string };
    expect(disabled.status).toBe('disabled');

    // The admin API sees what the CLI did: one service behind both.
    const seen = (await (await admin(`/admin/tenants/${created.tenantId}`)).json()) as { status: string };
    expect(seen.status).toBe('disabled');
  });

  it('declares dimensions and measures through the admin API and the CLI, with 400 naming a field it refuses', async () => {
    const created = (await (
      await admin('/admin/tenants', { method: 'POST', body: JSON.stringify({ name: uniqueName('analytics') }) })
    ).json()) as { tenantId: string };
    const path = `/admin/tenants/${created.tenantId}/analytics`;
    const put = (body: unknown) => admin(path, { method: 'PUT', body: JSON.stringify(body) });
    type Settings = { version: number; dimensions: { field: string; countedSince: string; countedUntil?: string }[] };

    const declared = await put({ dimensions: ['properties.plan'], measures: ['properties.revenue'] });
    expect(declared.status).toBe(200);
    const settings = (await declared.json()) as Settings;
    expect(settings.version).toBe(1);
    expect(Date.parse(settings.dimensions[0]?.countedSince ?? '')).toBeGreaterThan(Date.now());
    // The same lists again: no change, no new version.
    expect(
      ((await (await put({ dimensions: ['properties.plan'], measures: ['properties.revenue'] })).json()) as Settings)
        .version,
    ).toBe(1);

    const refused = await put({ dimensions: ['properties.plan', 'traits.email'] });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { problems: { field: string }[] }).problems.map((p) => p.field)).toEqual([
      'dimensions.1',
    ]);
    expect((await admin('/admin/tenants/t_aaaaaaaaaaaaaaaaaaaa/analytics')).status).toBe(404);

    // The CLI changes the same record: one service behind both.
    const cli = JSON.parse(
      await tenantCli('dimensions', created.tenantId, 'add', 'properties.seats', '--json'),
    ) as Settings;
    expect(cli.version).toBe(2);
    await tenantCli('dimensions', created.tenantId, 'remove', 'properties.plan', '--json');
    const seen = (await (await admin(path)).json()) as Settings;
    expect(seen.version).toBe(3);
    expect(seen.dimensions.map((d) => [d.field, d.countedUntil !== undefined])).toEqual([
      ['properties.plan', true],
      ['properties.seats', false],
    ]);
  });
});
