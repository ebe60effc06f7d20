// The public surface of libs/registration: only what other libs, apps, tests, bench and tools import.
export { RegistrationModule, type RegistrationModuleOptions } from './registration.module.js';
export { RegistrationService } from './registration.service.js';
export { RegistrationCredits } from './credits.port.js';
export {
  assessEligibility,
  assessTitleEligibility,
  registrationStatus,
  type CreditEntry,
  type Eligibility,
  type RecordFacts,
} from './eligibility.js';
export { DEFAULT_RULES, rulesOn, type RegistrationRules } from './rules.js';
