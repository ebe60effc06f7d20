import { Injectable } from '@nestjs/common';

export interface HealthContribution {
  /** Shown under `details.<name>` of GET /health. */
  details: Record<string, unknown>;
  /** Exposed on GET /metrics as `tmis_<name>` gauges (labels in the key: `name{label="v"}`). */
  metrics: Record<string, number>;
}

/** Features add their own health details and metrics (e.g. the sync outbox and national progress). */
@Injectable()
export class HealthRegistry {
  private readonly contributors = new Map<string, () => Promise<HealthContribution>>();

  register(name: string, fn: () => Promise<HealthContribution>): void {
    this.contributors.set(name, fn);
  }

  async collect(): Promise<Record<string, HealthContribution>> {
    const out: Record<string, HealthContribution> = {};
    for (const [name, fn] of this.contributors) {
      try {
        out[name] = await fn();
      } catch (e) {
        out[name] = { details: { status: 'error', error: e instanceof Error ? e.message : String(e) }, metrics: {} };
      }
    }
    return out;
  }
}
