import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Put,
  UseGuards,
} from '@nestjs/common';
import { z } from 'zod';
import {
  AnalyticsSettingsAdmin,
  AnalyticsSettingsContendedError,
  AnalyticsSettingsRefusedError,
  type AnalyticsSettingsDocument,
} from '@tally/analytics-store';
import {
  analyticsSettingsRequestV1Schema,
  createTenantRequestSchema,
  keyScopeParamSchema,
  quotaOverridesSchema,
  type AnalyticsSettingsRequestV1,
  type CreateTenantRequest,
  type KeyScope,
} from '@tally/contracts';
import { ZodValidationPipe } from '@tally/service-runtime';
import {
  AdminTokenGuard,
  TenantAdminService,
  TenantNotFoundError,
  type CreatedTenant,
  type TenantSummary,
} from '@tally/tenancy';
import { parseTenantId, type TenantId } from '@tally/tenant-scope';

const tenantIdParam = z.string().transform((raw, ctx): TenantId => {
  const id = parseTenantId(raw);
  if (!id) {
    ctx.addIssue({ code: 'custom', message: 'not a tenant id' });
    return z.NEVER;
  }
  return id;
});

/**
 * Operators' provisioning API, behind the platform admin token. The same service
 * backs `npm run tenant`. Keys appear in a response exactly once: on creation or
 * rotation.
 */
@Controller('admin/tenants')
@UseGuards(AdminTokenGuard)
export class TenantsAdminController {
  constructor(
    private readonly tenants: TenantAdminService,
    private readonly analytics: AnalyticsSettingsAdmin,
  ) {}

  @Post()
  @HttpCode(201)
  create(@Body(new ZodValidationPipe(createTenantRequestSchema)) body: CreateTenantRequest): Promise<CreatedTenant> {
    return this.tenants.create(body.name, body.quotas);
  }

  @Get()
  async list(): Promise<{ tenants: TenantSummary[] }> {
    return { tenants: await this.tenants.list() };
  }

  @Get(':tenantId')
  get(@Param('tenantId', new ZodValidationPipe(tenantIdParam, 'params')) tenantId: TenantId): Promise<TenantSummary> {
    return notFoundAsHttp(this.tenants.get(tenantId));
  }

  @Post(':tenantId/keys/:scope/rotate')
  @HttpCode(200)
  rotate(
    @Param('tenantId', new ZodValidationPipe(tenantIdParam, 'params')) tenantId: TenantId,
    @Param('scope', new ZodValidationPipe(keyScopeParamSchema, 'params')) scope: KeyScope,
  ): Promise<{ tenantId: TenantId; scope: KeyScope; key: string }> {
    return notFoundAsHttp(this.tenants.rotateKey(tenantId, scope));
  }

  @Post(':tenantId/disable')
  @HttpCode(200)
  disable(
    @Param('tenantId', new ZodValidationPipe(tenantIdParam, 'params')) tenantId: TenantId,
  ): Promise<TenantSummary> {
    return notFoundAsHttp(this.tenants.disable(tenantId));
  }

  @Post(':tenantId/enable')
  @HttpCode(200)
  enable(
    @Param('tenantId', new ZodValidationPipe(tenantIdParam, 'params')) tenantId: TenantId,
  ): Promise<TenantSummary> {
    return notFoundAsHttp(this.tenants.enable(tenantId));
  }

  @Put(':tenantId/quotas')
  setQuotas(
    @Param('tenantId', new ZodValidationPipe(tenantIdParam, 'params')) tenantId: TenantId,
    @Body(new ZodValidationPipe(quotaOverridesSchema)) quotas: z.output<typeof quotaOverridesSchema>,
  ): Promise<TenantSummary> {
    return notFoundAsHttp(this.tenants.setQuotas(tenantId, quotas));
  }

  /** The tenant's declared dimensions and measures, ended ones included, with when each counts. */
  @Get(':tenantId/analytics')
  async analyticsSettings(
    @Param('tenantId', new ZodValidationPipe(tenantIdParam, 'params')) tenantId: TenantId,
  ): Promise<AnalyticsSettingsDocument> {
    await notFoundAsHttp(this.tenants.get(tenantId));
    return this.analytics.get(tenantId);
  }

  /**
   * Declares exactly these dimensions and measures: new ones are counted from a minute
   * from now, removed ones stop a minute from now; the same lists again change nothing.
   * 400 naming a field the worker never stores; 409 when other changes kept winning.
   */
  @Put(':tenantId/analytics')
  async declareAnalytics(
    @Param('tenantId', new ZodValidationPipe(tenantIdParam, 'params')) tenantId: TenantId,
    @Body(new ZodValidationPipe(analyticsSettingsRequestV1Schema)) body: AnalyticsSettingsRequestV1,
  ): Promise<AnalyticsSettingsDocument> {
    await notFoundAsHttp(this.tenants.get(tenantId));
    return settingsChangeAsHttp(this.analytics.put(tenantId, body));
  }
}

async function settingsChangeAsHttp<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof AnalyticsSettingsRefusedError) {
      throw new BadRequestException({ message: error.message, problems: error.problems });
    }
    if (error instanceof AnalyticsSettingsContendedError) throw new ConflictException(error.message);
    throw error;
  }
}

async function notFoundAsHttp<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof TenantNotFoundError) throw new NotFoundException(error.message);
    throw error;
  }
}
