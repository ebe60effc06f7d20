// The public surface of libs/sync-transport: only what other libs, apps, tests, bench and tools import.
export {
  HttpTransport,
  KafkaTransport,
  withTimeout,
  type SyncSubscription,
  type SyncTransport,
} from './kafka.transport.js';
export type { KafkaConnection } from './transport.options.js';
export { fingerprintOf, type Fingerprint, type SchoolFingerprint } from './fingerprint.js';
export { ProvinceQueryDto, requireFederationReader } from './federation-access.js';
