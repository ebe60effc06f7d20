export const STATS_OPTIONS = Symbol('STATS_OPTIONS');

export interface StatsOptions {
  /** Two-digit province of a provincial node (its custom indicators are dimensions there). */
  provinceCode?: string;
  /** Seconds between scheduled refreshes; 0 = no schedule (boot-if-empty and on demand only). */
  refreshSeconds: number;
  /** Answers kept per process for the refresh they come from; 0 = none (default 256). */
  cacheEntries?: number;
  /** Pre-aggregated cubes of every dimension and pair by city (ADR 0018); false = every question scanned. Default on. */
  cubes?: boolean;
}
