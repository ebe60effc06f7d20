import { Global, Module } from '@nestjs/common';
import { ConfirmedTraining } from '@tmis/teachers';
import { ResyncParticipant } from '@tmis/contracts';
import { RecordTraining } from './record-training.js';
import { AuditModule } from '@tmis/audit';
import { OrgModule } from '@tmis/org';
import { BankService } from './bank.service.js';
import { ClaimService } from './claim.service.js';
import { CreditBank } from './credit-bank.js';
import { CreditGranting } from './credit-granting.js';
import { CreditsResync } from './credits-resync.js';
import { CreditRepository } from './credit.repository.js';
import { NationalProjects } from './national-projects.js';
import { ProjectService } from './project.service.js';
import { ResultsImportService } from './results-import.service.js';
import {
  CreditBankController,
  CreditClaimController,
  NationalProjectController,
  TrainingController,
  TrainingStatsController,
} from './training.controller.js';
import { TrainingStatsRepository } from './training-stats.repository.js';
import { TrainingStatsService } from './training-stats.service.js';
import { TrainingRepository } from './training.repository.js';

/**
 * Training credits (Art. 25): projects per level, institutions, enrolment and results, confirmation
 * under each province's conversion rules, self-study claims and the credit bank. The teacher record
 * lib's providers come from the node's `CoreNodeModule` (global).
 */
// Global: the record's sub-set 13 (libs/teachers, `ConfirmedTraining`) and other modules (`CreditBank`) use it.
@Global()
@Module({
  imports: [AuditModule, OrgModule],
  controllers: [TrainingController, CreditBankController, CreditClaimController, TrainingStatsController],
  providers: [
    TrainingRepository,
    CreditRepository,
    CreditGranting,
    CreditBank,
    NationalProjects,
    ProjectService,
    ResultsImportService,
    BankService,
    ClaimService,
    TrainingStatsRepository,
    TrainingStatsService,
    { provide: ConfirmedTraining, useClass: RecordTraining },
    { provide: ResyncParticipant, useClass: CreditsResync },
  ],
  exports: [CreditBank, ConfirmedTraining, ProjectService, ResyncParticipant],
})
export class TrainingModule {}

/**
 * What the national node adds to training: the ministry publishes its national projects to every
 * province (`POST /training/projects/{id}/publish`). Not on a provincial node, which only receives them.
 */
@Module({ controllers: [NationalProjectController] })
export class NationalTrainingModule {}
