// The public surface of libs/change-feed: only what other libs, apps, tests, bench and tools import.
export { ChangeFeedModule } from './change-feed.module.js';
export { ChangeFeedService, type ChangePage } from './change-feed.service.js';
export { ChangeFeedRepository, ENTRY_TEXT_SQL, isoTimeSql } from './change-feed.repository.js';
export { ChangeSequencer } from './change-sequencer.js';
export {
  CHANGE_TYPES,
  decodeChangeCursor,
  encodeChangeCursor,
  entryTextFor,
  toChangeEntry,
  type ChangeEntry,
  type ChangeRow,
  type ChangeView,
} from './change-entry.js';
