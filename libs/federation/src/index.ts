// The public surface of libs/federation: only what other libs, apps, tests, bench and tools import.
export { FederationModule } from './federation.module.js';
export { FederationMessenger } from './federation.messenger.js';
export {
  FederationHandlers,
  FederationRetryLater,
  OnFederationMessage,
  type FederationHandlerFn,
} from './federation.handlers.js';
export type { FederationMessage } from './federation-message.js';
export { FederationReceiver, type ReceiveOutcome, type ReceivedFrom } from './federation.receiver.js';
export { FederationRelay } from './federation.relay.js';
export {
  ALL_PROVINCES,
  downTopic,
  federationGroupName,
  upTopic,
  topicProvince,
  type FederationAddress,
  type NationalFederationOptions,
  type ProvincialFederationOptions,
} from './federation.options.js';
export { aclCommands, federationAcls, RECORD_INGEST_GROUP, type AclBinding } from './broker-acls.js';
