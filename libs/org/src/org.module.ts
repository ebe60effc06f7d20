import { Module } from '@nestjs/common';
import { AuditModule } from '@tmis/audit';
import { OrgController } from './org.controller.js';
import { OrgRepository } from './org.repository.js';
import { OrgSeeder } from './org.seeder.js';
import { OrgService } from './org.service.js';

@Module({
  imports: [AuditModule],
  controllers: [OrgController],
  providers: [OrgRepository, OrgService, OrgSeeder],
  exports: [OrgService, OrgSeeder, OrgRepository],
})
export class OrgModule {}
