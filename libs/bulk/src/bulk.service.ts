import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { AccessPolicy, inScope, Role, type Actor } from '@tmis/access';
import { AuditService } from '@tmis/audit';
import { currentCorrelationId, requestContext, type Page } from '@tmis/common';
import { OrgService } from '@tmis/org';
import { bulkError, BulkErrorCode } from './bulk.errors.js';
import { BULK_OPTIONS, type BulkOptions } from './bulk.options.js';
import { BulkRepository, RUNNING_STATES, type BulkJobRow, type JobActor, type JobErrorRow } from './bulk.repository.js';
import { inspectXlsx, sniffFormat } from './file-check.js';
import { ImportRunner, JobInterrupted, type RunContext } from './import.runner.js';
import { inspectCsv } from './readers.js';

export interface UploadedFileInfo {
  path: string;
  originalname: string;
  size: number;
}

/** A job as its reader sees it: the row without the file path, layout, actor and unit path. */
export type BulkJobView = Pick<
  BulkJobRow,
  | 'id'
  | 'state'
  | 'dryRun'
  | 'mode'
  | 'format'
  | 'fileName'
  | 'fileSize'
  | 'fileHash'
  | 'sourceJobId'
  | 'createdBy'
  | 'counts'
  | 'progress'
  | 'errorsTruncated'
  | 'message'
  | 'messageZh'
  | 'createdAt'
  | 'startedAt'
  | 'finishedAt'
> & {
  /** Whether the uploaded file is still kept (error report, commit of a dry run). */
  fileKept: boolean;
};

export function toJobView(j: BulkJobRow): BulkJobView {
  return {
    id: j.id,
    state: j.state,
    dryRun: j.dryRun,
    mode: j.mode,
    format: j.format,
    fileName: j.fileName,
    fileSize: j.fileSize,
    fileHash: j.fileHash,
    sourceJobId: j.sourceJobId,
    createdBy: j.createdBy,
    counts: j.counts,
    progress: j.progress,
    errorsTruncated: j.errorsTruncated,
    message: j.message,
    messageZh: j.messageZh,
    createdAt: j.createdAt,
    startedAt: j.startedAt,
    finishedAt: j.finishedAt,
    fileKept: !!j.filePath && existsSync(j.filePath),
  };
}

const INTERRUPTED = {
  en: 'The node stopped while this job ran (restart or crash); nothing of it was written. Upload the file again.',
  zh: '任务执行期间节点停止（重启或故障）；本任务未写入任何数据，请重新上传文件。',
};

/** Bulk import jobs: upload checks, running in the background, progress, errors, recovery after a restart. */
@Injectable()
export class BulkService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('Bulk');
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void>; ctx: RunContext }>();
  private cleanup?: NodeJS.Timeout;

  constructor(
    private readonly repo: BulkRepository,
    private readonly runner: ImportRunner,
    private readonly org: OrgService,
    private readonly audit: AuditService,
    @Inject(BULK_OPTIONS) private readonly options: BulkOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await mkdir(this.options.dir, { recursive: true });
    // Jobs left running by a node that stopped: nobody holds their lock any more.
    for (const j of await this.repo.runningJobs()) await this.recover(j.id);
    this.cleanup = setInterval(
      () => void this.deleteExpiredFiles().catch((e) => this.log.warn(`file cleanup failed: ${(e as Error).message}`)),
      3600_000,
    );
    this.cleanup.unref();
    await this.deleteExpiredFiles().catch(() => undefined);
  }

  /** A graceful stop interrupts running jobs: their statements are cancelled, their transactions roll back. */
  async onModuleDestroy(): Promise<void> {
    if (this.cleanup) clearInterval(this.cleanup);
    const jobs = [...this.running.values()];
    for (const j of jobs) {
      j.abort.abort();
      // The statement running now: the commit's transaction, or the job's own session.
      await this.repo.cancelBackend(j.ctx.backendPid ?? j.ctx.sessionPid).catch(() => undefined);
    }
    await Promise.race([Promise.all(jobs.map((j) => j.done)), new Promise((r) => setTimeout(r, 15000).unref())]);
  }

  /** Upload: checks the file (nothing is written for a bad one), then starts the job. */
  async startImport(
    actor: Actor,
    file: UploadedFileInfo | undefined,
    opts: { dryRun: boolean; mode: BulkJobRow['mode'] },
  ): Promise<BulkJobView> {
    if (!file) throw bulkError(BulkErrorCode.NoFile);
    try {
      this.requireImporter(actor);
      const format = await sniffFormat(file.path);
      if (!format) throw bulkError(BulkErrorCode.NotASpreadsheet);
      const layout: Record<string, unknown> =
        format === 'xlsx' ? { ...(await inspectXlsx(file.path)) } : { meta: await inspectCsv(file.path) };
      if (this.running.size >= this.options.maxJobs) throw bulkError(BulkErrorCode.Busy);
      const unit = await this.org.findById(actor.unitId);
      const jobActor: JobActor = {
        accountId: actor.accountId,
        role: actor.role,
        unitId: actor.unitId,
        unitPath: actor.unitPath,
        unitLevel: actor.unitLevel,
        unitCode: unit?.code ?? '',
      };
      const job = await this.launch({
        dryRun: opts.dryRun,
        mode: opts.mode,
        format,
        fileName: file.originalname.slice(0, 255),
        fileSize: file.size,
        fileHash: await sha256(file.path),
        filePath: file.path,
        layout,
        sourceJobId: null,
        actor: jobActor,
      });
      await this.audit.record(actor, {
        action: 'bulk.import',
        targetType: 'bulk-job',
        targetId: job.id,
        unitPath: actor.unitPath,
        details: { dryRun: opts.dryRun, mode: opts.mode, format, size: file.size },
      });
      return toJobView(job);
    } catch (e) {
      await unlink(file.path).catch(() => undefined);
      throw e;
    }
  }

  /** Commits a clean (or, valid-only, partly clean) dry run: the same file validated again and written. */
  async commit(actor: Actor, id: string, mode?: BulkJobRow['mode']): Promise<BulkJobView> {
    this.requireImporter(actor);
    const src = await this.load(actor, id);
    if (!src.dryRun || src.state !== 'validated')
      throw bulkError(
        BulkErrorCode.JobNotCommittable,
        `The job is ${src.state}${src.dryRun ? '' : ' and not a dry run'}`,
      );
    if (!src.filePath || !existsSync(src.filePath)) throw bulkError(BulkErrorCode.FileGone);
    if (this.running.size >= this.options.maxJobs) throw bulkError(BulkErrorCode.Busy);
    const job = await this.launch({
      dryRun: false,
      mode: mode ?? src.mode,
      format: src.format,
      fileName: src.fileName,
      fileSize: src.fileSize,
      fileHash: src.fileHash,
      filePath: src.filePath,
      layout: src.layout,
      sourceJobId: src.id,
      actor: { ...src.actor, accountId: actor.accountId, role: actor.role },
    });
    await this.audit.record(actor, {
      action: 'bulk.commit',
      targetType: 'bulk-job',
      targetId: job.id,
      unitPath: actor.unitPath,
      details: { sourceJobId: src.id, mode: job.mode },
    });
    return toJobView(job);
  }

  async get(actor: Actor, id: string): Promise<BulkJobView> {
    return toJobView(await this.load(actor, id));
  }

  async list(actor: Actor): Promise<BulkJobView[]> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    return (await this.repo.listJobs(actor.unitPath, 100)).map(toJobView);
  }

  async errors(actor: Actor, id: string, cursor: string | undefined, limit: number): Promise<Page<JobErrorRow>> {
    await this.load(actor, id);
    const rows = await this.repo.errors(id, cursor ?? null, limit + 1);
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
  }

  /** A job the caller may see: an information administrator's, of a unit in their subtree. Others: 404. */
  async load(actor: Actor, id: string): Promise<BulkJobRow> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    let job = await this.repo.findJob(id);
    if (!job || !inScope(actor, job.unitPath)) throw bulkError(BulkErrorCode.JobNotFound);
    if (RUNNING_STATES.includes(job.state) && !this.running.has(id) && (await this.recover(id)))
      job = (await this.repo.findJob(id))!;
    return job;
  }

  /** Imports are made by information administrators (school or above); teachers and query users: no. */
  private requireImporter(actor: Actor): void {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
  }

  private async launch(j: Omit<Parameters<BulkRepository['insertJob']>[0], 'id' | 'state'>): Promise<BulkJobRow> {
    const id = randomUUID();
    const session = await this.repo.lockJob(id);
    if (!session) throw new Error('job lock taken');
    try {
      const job = await this.repo.insertJob({ ...j, id, state: 'queued' });
      const abort = new AbortController();
      const ctx: RunContext = {
        signal: abort.signal,
        sessionPid: session.pid,
        ip: requestContext.getStore()?.ip ?? null,
        correlationId: currentCorrelationId() ?? null,
      };
      const done = (async () => {
        try {
          await this.runner.run(job, ctx);
        } catch (e) {
          if (abort.signal.aborted || e instanceof JobInterrupted) {
            await this.repo.markInterrupted(id, INTERRUPTED.en, INTERRUPTED.zh).catch(() => undefined);
          } else {
            this.log.error({
              msg: 'bulk job failed',
              jobId: id,
              error: (e as Error).message,
              stack: (e as Error).stack,
            });
            await this.repo
              .setJob(id, {
                state: 'failed',
                finished: true,
                message: 'The import failed on an unexpected error; nothing was written',
                messageZh: '导入因意外错误失败；未写入任何数据',
              })
              .catch(() => undefined);
          }
          await this.repo.clearStaging(id).catch(() => undefined);
        } finally {
          await session.release().catch(() => undefined);
          this.running.delete(id);
        }
      })();
      this.running.set(id, { abort, done, ctx });
      return job;
    } catch (e) {
      await session.release().catch(() => undefined);
      throw e;
    }
  }

  /** Marks a running-state job interrupted when no live runner holds its lock. True when it did. */
  private async recover(id: string): Promise<boolean> {
    const session = await this.repo.lockJob(id);
    if (!session) return false;
    try {
      const marked = await this.repo.markInterrupted(id, INTERRUPTED.en, INTERRUPTED.zh);
      if (marked) {
        await this.repo.clearStaging(id);
        this.log.warn({ msg: 'bulk job interrupted by a node stop', jobId: id });
      }
      return marked;
    } finally {
      await session.release();
    }
  }

  private async deleteExpiredFiles(): Promise<void> {
    for (const f of await this.repo.expiredFiles(this.options.retentionHours)) {
      await unlink(f.filePath).catch(() => undefined);
      await this.repo.setJob(f.id, { filePath: null });
      await this.repo.clearStaging(f.id); // a dry run's staged persons, kept for a commit that never came
    }
  }
}

async function sha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}
