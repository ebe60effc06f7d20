import { Module } from '@nestjs/common';
import { AuditModule } from '@tmis/audit';
import { OrgModule } from '@tmis/org';
import { BankService } from './bank.service.js';
import { CreditBank } from './credit-bank.js';
import { CreditGranting } from './credit-granting.js';
import { CreditRepository } from './credit.repository.js';
import { ProjectService } from './project.service.js';
import { CreditBankController, TrainingController } from './training.controller.js';
import { TrainingRepository } from './training.repository.js';

/**
 * Training credits (Art. 25): projects per level, institutions, enrolment and results, confirmation
 * under each province's conversion rules, self-study claims and the credit bank. The teacher record
 * lib's providers come from the node's `CoreNodeModule` (global).
 */
@Module({
  imports: [AuditModule, OrgModule],
  controllers: [TrainingController, CreditBankController],
  providers: [TrainingRepository, CreditRepository, CreditGranting, CreditBank, ProjectService, BankService],
  exports: [CreditBank],
})
export class TrainingModule {}
