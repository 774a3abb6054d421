import { z } from 'zod';
import { mongoConfigFrom, mongoEnvFields, parseConfig, redisConfigFrom, redisEnvFields } from '@tally/config';
import {
  AnalyticsSettingsAdmin,
  AnalyticsSettingsRefusedError,
  type AnalyticsSettingsDocument,
} from '@tally/analytics-store';
import { describeIssues, keyScopeParamSchema, summariseProblems } from '@tally/contracts';
import { createMongoClient } from '@tally/mongo';
import { createRedisClient } from '@tally/redis';
import { TenantAdminService, TenantStore, type TenantSummary } from '@tally/tenancy';
import { parseTenantId, type TenantId } from '@tally/tenant-scope';
import { exitWhenFlushed } from '../cli/exit-when-flushed';

const USAGE = `usage: npm run tenant -- <command> [--json]

  create <name>                      new tenant; prints its id, write key and read key (shown once)
  list                               every tenant with status and quotas
  rotate-key <tenantId> <write|read> new key for that scope; the old one stops working within seconds
  disable <tenantId>                 every key of the tenant stops working within seconds
  enable <tenantId>                  undo disable
  analytics <tenantId>               declared dimensions and measures, and when each is counted
  dimensions <tenantId> add|remove <field>   e.g. properties.plan: counted per value in real time
  measures <tenantId> add|remove <field>     e.g. properties.revenue: summed in real time

Uses MONGO_URL / MONGO_DB / REDIS_URL (defaults: the local stack).`;

class UsageError extends Error {}

const envSchema = z
  .object({ ...mongoEnvFields, ...redisEnvFields })
  .transform((env) => ({ mongo: mongoConfigFrom(env), redis: redisConfigFrom(env) }));

function tenantIdArg(raw: string | undefined): TenantId {
  const id = parseTenantId(raw);
  if (!id) throw new UsageError(`"${raw ?? ''}" is not a tenant id (they look like t_abcdefghijklmnopqrst)`);
  return id;
}

function describeTenant(t: TenantSummary): string {
  const quotas = Object.entries(t.quotas)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  return `${t.tenantId}  ${t.status.padEnd(8)}  ${t.name}${quotas ? `  (${quotas})` : ''}`;
}

function describeAnalytics(settings: AnalyticsSettingsDocument): string {
  const lines = [`analytics settings of ${settings.tenantId} (version ${settings.version})`];
  for (const [title, declared] of [
    ['dimensions', settings.dimensions],
    ['measures', settings.measures],
  ] as const) {
    lines.push(`${title}:${declared.length === 0 ? ' (none)' : ''}`);
    for (const d of declared) {
      const until = d.countedUntil ? ` until ${d.countedUntil.toISOString()}` : '';
      lines.push(`  ${d.field}  counted from ${d.countedSince.toISOString()}${until}`);
    }
  }
  return lines.join('\n');
}

async function run(argv: string[], print: (text: string) => void): Promise<void> {
  const json = argv.includes('--json');
  const [command, ...args] = argv.filter((a) => a !== '--json');
  if (!command || command === 'help' || command === '--help') {
    print(USAGE);
    return;
  }
  const config = parseConfig('tenant', envSchema, process.env);
  const mongo = createMongoClient(config.mongo, 'tally-cli');
  const redis = createRedisClient(config.redis, 'tally-cli');
  const db = mongo.db(config.mongo.database);
  const admin = new TenantAdminService(new TenantStore(db), redis);
  const analytics = AnalyticsSettingsAdmin.on(db, redis);
  const out = (value: unknown, human: string) => print(json ? JSON.stringify(value) : human);
  try {
    switch (command) {
      case 'create': {
        const name = args.join(' ').trim();
        if (!name) throw new UsageError('create needs a name');
        const created = await admin.create(name);
        out(
          created,
          [
            `tenant    ${created.tenantId}  (${created.name})`,
            `write key ${created.writeKey}`,
            `read key  ${created.readKey}`,
            'The keys are shown once; only their hashes are stored.',
          ].join('\n'),
        );
        return;
      }
      case 'list': {
        const tenants = await admin.list();
        out({ tenants }, tenants.length ? tenants.map(describeTenant).join('\n') : '(no tenants)');
        return;
      }
      case 'rotate-key': {
        const scope = keyScopeParamSchema.safeParse(args[1]);
        if (!scope.success) throw new UsageError(summariseProblems(describeIssues(scope.error)));
        const rotated = await admin.rotateKey(tenantIdArg(args[0]), scope.data);
        out(
          rotated,
          `new ${rotated.scope} key for ${rotated.tenantId}: ${rotated.key}\nThe previous ${rotated.scope} key no longer works.`,
        );
        return;
      }
      case 'disable':
      case 'enable': {
        const id = tenantIdArg(args[0]);
        const summary = command === 'disable' ? await admin.disable(id) : await admin.enable(id);
        out(summary, describeTenant(summary));
        return;
      }
      case 'analytics': {
        const id = tenantIdArg(args[0]);
        await admin.get(id);
        const settings = await analytics.get(id);
        out(settings, describeAnalytics(settings));
        return;
      }
      case 'dimensions':
      case 'measures': {
        const id = tenantIdArg(args[0]);
        const [change, field] = [args[1], args[2]];
        if ((change !== 'add' && change !== 'remove') || field === undefined) {
          throw new UsageError(`${command} needs <tenantId> add|remove <field>`);
        }
        await admin.get(id);
        // Worked out on the newest version by the admin, so two runs at once do not undo each other.
        const settings = await (
          change === 'add' ? analytics.add(id, command, field) : analytics.remove(id, command, field)
        ).catch((error: unknown) => {
          throw error instanceof AnalyticsSettingsRefusedError ? new UsageError(error.message) : error;
        });
        out(settings, describeAnalytics(settings));
        return;
      }
      default:
        throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
    }
  } finally {
    await Promise.all([mongo.close(), redis.quit().catch(() => redis.disconnect())]);
  }
}

run(process.argv.slice(2), (text) => process.stdout.write(`${text}\n`)).then(
  () => exitWhenFlushed(0),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`tenant: ${message}\n`);
    if (/ECONNREFUSED|Server selection timed out/.test(message)) {
      process.stderr.write('Is the stack running? Start it with `npm start` or `npm run stack -- up`.\n');
    }
    exitWhenFlushed(error instanceof UsageError ? 2 : 1);
  },
);
