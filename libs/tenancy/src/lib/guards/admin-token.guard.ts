import {
  Inject,
  Injectable,
  ServiceUnavailableException,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { TenancyConfig } from '@tally/config';
import { secretsEqual } from '../keys/api-key';
import { bearerOf } from './key-guards';

export const TENANCY_CONFIG = Symbol('TENANCY_CONFIG');

/** The platform admin token as `Authorization: Bearer`; without ADMIN_TOKEN configured the admin API is off. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@Inject(TENANCY_CONFIG) private readonly config: TenancyConfig) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.config.adminToken) throw new ServiceUnavailableException('the admin API is disabled: set ADMIN_TOKEN');
    const token = bearerOf(context);
    if (!token || !secretsEqual(token, this.config.adminToken)) throw new UnauthorizedException('admin token required');
    return true;
  }
}
