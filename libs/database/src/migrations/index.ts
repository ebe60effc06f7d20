import { Foundation1764300000000 } from './1764300000000-foundation.js';
import { TeacherRecord1764400000000 } from './1764400000000-teacher-record.js';
import { Review1764500000000 } from './1764500000000-review.js';

/** Every migration, in order. A landed migration is never edited; add a new one. */
export const migrations = [Foundation1764300000000, TeacherRecord1764400000000, Review1764500000000];
