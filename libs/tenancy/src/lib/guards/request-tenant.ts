import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ResolvedTenant } from '../directory/tenant-records';

/** Where the key guards leave the resolved tenant on the request. */
export interface RequestWithTenant {
  headers: import('node:http').IncomingHttpHeaders;
  body?: unknown;
  tenant?: ResolvedTenant;
}

/** `@CurrentTenant() tenant: ResolvedTenant` in a handler behind a key guard. */
export const CurrentTenant = createParamDecorator((_data: unknown, ctx: ExecutionContext): ResolvedTenant => {
  const tenant = ctx.switchToHttp().getRequest<RequestWithTenant>().tenant;
  if (!tenant) throw new Error('@CurrentTenant() used on a route without a key guard');
  return tenant;
});
