// The public surface of libs/transfers: only what other libs, apps, tests, bench and tools import.
export { TransfersModule } from './transfers.module.js';
export { TransferService } from './transfer.service.js';
export { TransferRepository } from './transfer.repository.js';
export { WORKFLOWS, type TransferKind, type TransferState } from './transfer.workflow.js';
export {
  CROSS,
  type CrossComplete,
  type CrossConfirm,
  type CrossEnded,
  type CrossExpired,
  type CrossRefusal,
  type CrossRequest,
} from './cross/cross-messages.js';
export { CROSS_PROVINCE_FLOWS, type CrossProvinceFlows } from './mobility.service.js';
