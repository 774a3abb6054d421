import { Injectable, type NestMiddleware } from '@nestjs/common';
import { runWithTenantSlot } from './tenant-context';

@Injectable()
export class TenantContextMiddleware implements NestMiddleware {
  use(_req: unknown, _res: unknown, next: () => void): void {
    runWithTenantSlot(next);
  }
}
