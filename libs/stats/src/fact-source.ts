import { Inject, Injectable } from '@nestjs/common';
import { nationalSource, provincialSource, type SourceSql } from './stats.sql.js';
import { StatsRepository } from './stats.repository.js';
import { STATS_OPTIONS, type StatsOptions } from './stats.options.js';

/** A custom indicator offered as a dimension: its key here, its definition, and the province that labels it. */
export interface CustomDimensionSource {
  key: string;
  definition: Record<string, unknown>;
  province: string | null;
}

/**
 * Where a node's statistics come from (ADR 0008). A node composes one: the provincial node its own
 * `teacher` records, the national node the records received from the provinces (`national_teacher`
 * joined to the national tree). Chosen by the app's module, not at run time.
 */
export abstract class StatsFactSource {
  /** The source table, recorded with each refresh. */
  abstract readonly table: string;
  /** How the status route names the source. */
  abstract readonly label: string;
  /** Whether facts name units the tree may not know yet (the national node: resolved by code). */
  abstract readonly national: boolean;
  /** The SELECT of every teacher's fact columns. */
  abstract readonly sql: SourceSql;
  /** The custom indicators offered as dimensions to a reader at `readerPath` (its unit's path). */
  abstract customDimensions(readerPath: string): Promise<CustomDimensionSource[]>;
}

/** A provincial node: its own records; its own custom indicators (`x_key`). */
@Injectable()
export class ProvincialFactSource extends StatsFactSource {
  readonly table = 'teacher';
  readonly label = 'teacher';
  readonly national = false;
  readonly sql = provincialSource;

  constructor(
    private readonly repo: StatsRepository,
    @Inject(STATS_OPTIONS) private readonly options: StatsOptions,
  ) {
    super();
  }

  async customDimensions(): Promise<CustomDimensionSource[]> {
    if (!this.options.provinceCode) return [];
    const defs = await this.repo.customFields(this.options.provinceCode);
    return defs.map(({ key, definition }) => ({ key, definition, province: null }));
  }
}

/**
 * The national node: one population — the records received from every province and the records of
 * the units reporting to it directly (central universities, its own `teacher` table). Custom indicators of every
 * province as received (`x_key_PP`, PP the province: keys are only unique within a province), each
 * counting that province's teachers and "not recorded" elsewhere. A reader inside a province sees
 * that province's only (its definitions are its own, like its records).
 */
@Injectable()
export class NationalFactSource extends StatsFactSource {
  readonly table = 'national_teacher+teacher';
  readonly label = 'national_teacher + teacher (central) ⋈ org_unit';
  readonly national = true;
  readonly sql = nationalSource;

  constructor(private readonly repo: StatsRepository) {
    super();
  }

  async customDimensions(readerPath: string): Promise<CustomDimensionSource[]> {
    const rows = await this.repo.nationalCustomFields();
    // `/000000/` is the ministry (every province); `/000000/PP0000/…` a unit inside province PP; a
    // central university (`/000000/<school>/`) reports to national directly and reads none of them.
    const own = /^\/000000\/(\d{2})0000\//.exec(readerPath)?.[1];
    const ministry = readerPath === '/000000/';
    return rows
      .filter(({ province }) => ministry || province === own)
      .flatMap(({ province, name, definitions }) =>
        Object.values(definitions)
          .filter((d) => d && typeof d.key === 'string' && d.status !== 'retired')
          .map((d) => ({ key: `${String(d.key)}_${province}`, definition: d, province: name ?? province })),
      );
  }
}
