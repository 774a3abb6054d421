import { Module } from '@nestjs/common';
import { TenantsAdminController } from './tenants-admin.controller';

@Module({ controllers: [TenantsAdminController] })
export class ManageTenantsModule {}
