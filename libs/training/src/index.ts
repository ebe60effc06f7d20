// The public surface of libs/training: only what other libs, apps, tests, bench and tools import.
export { NationalTrainingModule, TrainingModule } from './training.module.js';
export { CreditBank, type CreditEntry, type CreditPurpose, type CreditWindow } from './credit-bank.js';
export { TrainingErrorCode } from './training.errors.js';
export { CREDIT_KINDS, convertHours, cycleOf, type CreditRules } from './credit-rules.js';
export { NATIONAL_PROJECT_PUBLISHED, type NationalProjectPublished } from './national-projects.js';
