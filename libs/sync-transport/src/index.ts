// The public surface of libs/sync-transport: only what other libs, apps, tests, bench and tools import.
export {
  HttpTransport,
  KAFKA_RETRY,
  KafkaTransport,
  withTimeout,
  type SyncSubscription,
  type SyncTransport,
} from './kafka.transport.js';
export type { KafkaConnection } from './transport.options.js';
export {
  bucketOf,
  compareTreeNodes,
  fingerprintOf,
  fingerprintTreePage,
  TREE_PAGE_MAX,
  type Fingerprint,
  type FingerprintTreePage,
  type SchoolFingerprint,
  type TreeDifference,
  type TreeNode,
} from './fingerprint.js';
export { FingerprintTreeQueryDto, ProvinceQueryDto, requireFederationReader } from './federation-access.js';
