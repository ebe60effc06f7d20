import { Foundation1764300000000 } from './1764300000000-foundation.js';

/** Every migration, in order. A landed migration is never edited; add a new one. */
export const migrations = [Foundation1764300000000];
