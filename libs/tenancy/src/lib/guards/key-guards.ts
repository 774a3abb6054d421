import {
  ForbiddenException,
  Injectable,
  ServiceUnavailableException,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { addRequestLogFields } from '@tally/observability';
import { TenantDirectory } from '../directory/tenant-directory';
import type { ResolvedTenant } from '../directory/tenant-records';
import { fillTenantSlot } from '../context/tenant-context';
import { extractApiKey, extractBearer } from '../keys/extract-key.util';
import type { KeyScope } from '@tally/contracts';
import type { RequestWithTenant } from './request-tenant';

/**
 * Resolves the request's key to a tenant and checks its scope. The tenant comes from
 * the key alone — never from an id in the body, query or a client-controlled header.
 * No key or an unknown/revoked key: 401. A key of the other scope: 403.
 */
abstract class KeyGuard implements CanActivate {
  protected abstract readonly scope: KeyScope;

  constructor(private readonly directory: TenantDirectory) {}

  protected abstract keyOf(request: RequestWithTenant): string | undefined;

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithTenant>();
    const key = this.keyOf(request);
    if (!key) throw new UnauthorizedException(`a ${this.scope} key is required`);
    let tenant: ResolvedTenant | null;
    try {
      tenant = await this.directory.resolve(key);
    } catch (error) {
      throw new ServiceUnavailableException('cannot check the key right now', { cause: error });
    }
    if (!tenant) throw new UnauthorizedException('unknown or revoked key');
    if (tenant.scope !== this.scope) {
      throw new ForbiddenException(`this is a ${tenant.scope} key; this endpoint needs a ${this.scope} key`);
    }
    request.tenant = tenant;
    fillTenantSlot(tenant);
    addRequestLogFields(request, { tenantId: tenant.tenantId });
    return true;
  }
}

/** Ingest: the write key as Basic username, Bearer, X-Write-Key, or `writeKey` in the body. */
@Injectable()
export class WriteKeyGuard extends KeyGuard {
  protected readonly scope = 'write';

  constructor(directory: TenantDirectory) {
    super(directory);
  }

  protected keyOf(request: RequestWithTenant): string | undefined {
    return extractApiKey(request.headers, request.body);
  }
}

/** Queries: the read key as `Authorization: Bearer <key>` only. */
@Injectable()
export class ReadKeyGuard extends KeyGuard {
  protected readonly scope = 'read';

  constructor(directory: TenantDirectory) {
    super(directory);
  }

  protected keyOf(request: RequestWithTenant): string | undefined {
    return extractBearer(request.headers);
  }
}

/** Narrows an unknown ExecutionContext request for the admin guard. */
export const bearerOf = (context: ExecutionContext): string | undefined =>
  extractBearer(context.switchToHttp().getRequest<RequestWithTenant>().headers);
