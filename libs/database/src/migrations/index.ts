import { Foundation1764300000000 } from './1764300000000-foundation.js';
import { TeacherRecord1764400000000 } from './1764400000000-teacher-record.js';
import { Review1764500000000 } from './1764500000000-review.js';
import { ChangesChecksCycles1764600000000 } from './1764600000000-changes-checks-cycles.js';
import { Sync1764700000000 } from './1764700000000-sync.js';
import { ReportedSnapshot1764800000000 } from './1764800000000-reported-snapshot.js';
import { Stats1764900000000 } from './1764900000000-stats.js';
import { Bulk1765000000000 } from './1765000000000-bulk.js';
import { StatsIncremental1765100000000 } from './1765100000000-stats-incremental.js';
import { ResyncUnitCursor1766100000000 } from './1766100000000-resync-unit-cursor.js';
import { SessionHardening1766200000000 } from './1766200000000-session-hardening.js';
import { TeacherListIndexes1766300000000 } from './1766300000000-teacher-list-indexes.js';
import { BulkValidatedWith1766300000001 } from './1766300000001-bulk-validated-with.js';
import { PublishSequence1766400000000 } from './1766400000000-publish-sequence.js';
import { Federation1767000000000 } from './1767000000000-federation.js';
import { DuplicateNotices1767000000001 } from './1767000000001-duplicate-notices.js';
import { Transfers1767100000000 } from './1767100000000-transfers.js';
import { CrossProvinceTransfers1767100000001 } from './1767100000001-cross-province-transfers.js';
import { Training1767200000000 } from './1767200000000-training.js';
import { NationalTrainingCredit1767200000001 } from './1767200000001-national-training-credit.js';
import { Registration1767300000000 } from './1767300000000-registration.js';
import { ApiClients1767400000000 } from './1767400000000-api-clients.js';
import { NationalSearch1767500000000 } from './1767500000000-national-search.js';
import { CatalogueVersions1767500000001 } from './1767500000001-catalogue-versions.js';
import { NationalSearchFilters1767500000002 } from './1767500000002-national-search-filters.js';
import { ChangeFeed1767650000000 } from './1767650000000-change-feed.js';
import { TransfersEffectiveDate1767800000000 } from './1767800000000-transfers-effective-date.js';
import { FeedNationalAndDelivery1767820000000 } from './1767820000000-feed-national-and-delivery.js';
import { AuthChangeNotify1767840000000 } from './1767840000000-auth-change-notify.js';
import { TeacherCustomValues1767840000001 } from './1767840000001-teacher-custom-values.js';
import { NationalSearchFacets1767850000000 } from './1767850000000-national-search-facets.js';
import { StatsEntrantsLeavers1767850000001 } from './1767850000001-stats-entrants-leavers.js';
import { OutboxLz41767900000000 } from './1767900000000-outbox-lz4.js';
import { NationalFacetsStaged1767905000000 } from './1767905000000-national-facets-staged.js';
import { OutboxVacuum1767905000001 } from './1767905000001-outbox-vacuum.js';
import { TeacherSubjects1767910000000 } from './1767910000000-teacher-subjects.js';
import { NationalSearchScope1767930000000 } from './1767930000000-national-search-scope.js';
import { OutboxNotify1767950000000 } from './1767950000000-outbox-notify.js';
import { TeacherSubjectTitleName1767960000000 } from './1767960000000-teacher-subject-title-name.js';
import { NationalFeedDirect1767970000000 } from './1767970000000-national-feed-direct.js';
import { ResyncCredits1767970000001 } from './1767970000001-resync-credits.js';
import { NameStatistics1767980000000 } from './1767980000000-name-statistics.js';

/** Every migration, in order. A landed migration is never edited; add a new one. */
export const migrations = [
  Foundation1764300000000,
  TeacherRecord1764400000000,
  Review1764500000000,
  ChangesChecksCycles1764600000000,
  Sync1764700000000,
  ReportedSnapshot1764800000000,
  Stats1764900000000,
  Bulk1765000000000,
  StatsIncremental1765100000000,
  ResyncUnitCursor1766100000000,
  SessionHardening1766200000000,
  TeacherListIndexes1766300000000,
  BulkValidatedWith1766300000001,
  PublishSequence1766400000000,
  Federation1767000000000,
  DuplicateNotices1767000000001,
  Transfers1767100000000,
  CrossProvinceTransfers1767100000001,
  Training1767200000000,
  NationalTrainingCredit1767200000001,
  Registration1767300000000,
  ApiClients1767400000000,
  NationalSearch1767500000000,
  CatalogueVersions1767500000001,
  NationalSearchFilters1767500000002,
  ChangeFeed1767650000000,
  TransfersEffectiveDate1767800000000,
  FeedNationalAndDelivery1767820000000,
  AuthChangeNotify1767840000000,
  TeacherCustomValues1767840000001,
  NationalSearchFacets1767850000000,
  StatsEntrantsLeavers1767850000001,
  OutboxLz41767900000000,
  NationalFacetsStaged1767905000000,
  OutboxVacuum1767905000001,
  TeacherSubjects1767910000000,
  NationalSearchScope1767930000000,
  OutboxNotify1767950000000,
  TeacherSubjectTitleName1767960000000,
  NationalFeedDirect1767970000000,
  ResyncCredits1767970000001,
  NameStatistics1767980000000,
];
