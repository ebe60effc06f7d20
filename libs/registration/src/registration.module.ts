import { Module, type DynamicModule, type ForwardReference, type OnModuleInit, type Type } from '@nestjs/common';
import { AuditModule } from '@tmis/audit';
import { TodoSources } from '@tmis/teachers';
import { NoCredits, RegistrationCredits } from './credits.port.js';
import { EthicsVetoService } from './ethics-veto.service.js';
import {
  REGISTRATION_STATS_SOURCE,
  RegistrationListsService,
  type RegistrationStatsSource,
} from './registration-lists.service.js';
import { RegistrationController, RegistrationStatsController } from './registration.controller.js';
import { RegistrationRepository } from './registration.repository.js';
import { RegistrationService } from './registration.service.js';

export interface RegistrationModuleOptions {
  /** The node's credit bank (`CreditBank` of @tmis/training); without one, no credits count. */
  credits?: Type<RegistrationCredits> | Type<unknown>;
  /** The module that provides `credits` (e.g. `TrainingModule`). */
  creditsModule?: Type<unknown> | DynamicModule | ForwardReference;
  /** `national-records`: the national node counts outcomes from the records the provinces reported. */
  stats: RegistrationStatsSource;
}

/**
 * Periodic registration of teacher qualifications and the ethics veto (issue 15). Needs the node's
 * record modules (TeacherService, TeacherRepository, TodoSources: exported by CoreNodeModule).
 */
@Module({})
export class RegistrationModule implements OnModuleInit {
  constructor(
    private readonly todo: TodoSources,
    private readonly lists: RegistrationListsService,
  ) {}

  static register(options: RegistrationModuleOptions): DynamicModule {
    return {
      module: RegistrationModule,
      imports: [AuditModule, ...(options.creditsModule ? [options.creditsModule] : [])],
      controllers: [RegistrationController, RegistrationStatsController],
      providers: [
        options.credits
          ? { provide: RegistrationCredits, useExisting: options.credits }
          : { provide: RegistrationCredits, useClass: NoCredits },
        { provide: REGISTRATION_STATS_SOURCE, useValue: options.stats },
        RegistrationRepository,
        RegistrationService,
        EthicsVetoService,
        RegistrationListsService,
      ],
      exports: [RegistrationService],
    };
  }

  onModuleInit(): void {
    this.todo.register((actor) => this.lists.items(actor));
  }
}
