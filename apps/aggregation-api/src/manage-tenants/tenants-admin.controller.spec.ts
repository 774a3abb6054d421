import { HttpException } from '@nestjs/common';
import { AnalyticsSettingsAdmin, type AnalyticsSettingsVersions } from '@tally/analytics-store';
import type { TenantAdminService } from '@tally/tenancy';
import { newTenantId } from '@tally/tenant-scope';
import { TenantsAdminController } from './tenants-admin.controller';

/** The controller over settings versions that `insert` as told, for a tenant that exists. */
function controllerWith(insert: AnalyticsSettingsVersions['insert']) {
  const versions: AnalyticsSettingsVersions = { newest: async () => undefined, insert };
  const tenants = { get: async (tenantId: string) => ({ tenantId }) } as unknown as TenantAdminService;
  return new TenantsAdminController(tenants, new AnalyticsSettingsAdmin(versions, async () => undefined));
}

async function httpErrorOf(work: Promise<unknown>): Promise<{ status: number; body: unknown }> {
  try {
    await work;
  } catch (error) {
    if (error instanceof HttpException) return { status: error.getStatus(), body: error.getResponse() };
    throw error;
  }
  throw new Error('expected an HTTP error');
}

describe('TenantsAdminController, PUT /admin/tenants/:id/analytics', () => {
  it('answers 400 naming a field the worker never stores', async () => {
    const controller = controllerWith(async () => true);
    const error = await httpErrorOf(
      controller.declareAnalytics(newTenantId(), { dimensions: ['properties.a.b.c.d.e'], measures: [] }),
    );
    expect(error).toEqual({
      status: 400,
      body: {
        message: expect.stringContaining('dimensions.0: properties.a.b.c.d.e is 5 segments below properties'),
        problems: [{ field: 'dimensions.0', rule: expect.stringContaining('at most 4 below their root') }],
      },
    });
  });

  it('answers 409 with a message when other changes keep taking the next version', async () => {
    const controller = controllerWith(async () => false);
    const error = await httpErrorOf(
      controller.declareAnalytics(newTenantId(), { dimensions: ['properties.plan'], measures: [] }),
    );
    expect(error).toMatchObject({
      status: 409,
      body: { message: expect.stringMatching(/changed under this change 5 times in a row.*try again$/) },
    });
  });
});
