import { Injectable } from '@nestjs/common';
import { AccessPolicy, Role, type Actor } from '@tmis/access';
import { commonError, CommonErrorCode } from '@tmis/common';
import { OrgRepository } from '@tmis/org';
import {
  decodeChangeCursor,
  encodeChangeCursor,
  entryTextFor,
  toChangeEntry,
  type ChangeEntry,
  type ChangeView,
} from './change-entry.js';
import { changeFeedError, ChangeFeedErrorCode } from './change-feed.errors.js';
import { ChangeFeedRepository } from './change-feed.repository.js';
import { ChangeSequencer } from './change-sequencer.js';

export interface ChangePage {
  items: ChangeEntry[];
  /** Pass it back to read on; always set (an empty page keeps your place). */
  nextCursor: string;
  /** True when more entries (in any scope) follow: read again at once; otherwise poll later. */
  hasMore: boolean;
  /** The cursor of the newest entry so far. */
  headCursor: string;
}

/** A page as the API sends it: its JSON text, and the ids of the entities in it (for the call audit). */
export interface ChangePageText {
  json: string;
  entityIds: string[];
}

/** Sequences looked at per page at most, so a small subtree's reader never scans the whole log at once. */
const WINDOW_PER_ITEM = 10;

/** Who reads the feed, and what: the caller's subtree (or a unit in it), in commit order, resumable. */
@Injectable()
export class ChangeFeedService {
  constructor(
    private readonly repo: ChangeFeedRepository,
    private readonly sequencer: ChangeSequencer,
    private readonly org: OrgRepository,
  ) {}

  /** Information administrators see records whole; system administrators and query users masked. */
  view(actor: Actor): ChangeView {
    return actor.role === Role.InfoAdmin ? 'full' : 'masked';
  }

  /** The subtree a reader asked for: its own unit, or a unit inside it (403 outside). */
  async scopePath(actor: Actor, unitId?: string): Promise<string> {
    if (!unitId) return actor.unitPath;
    const unit = await this.org.findById(unitId);
    if (!unit) throw commonError(CommonErrorCode.NotFound, 'unit');
    AccessPolicy.requireInScope(actor, unit.path);
    return unit.path;
  }

  async read(actor: Actor, q: { cursor?: string; limit?: number; unitId?: string }): Promise<ChangePage> {
    const path = await this.scopePath(actor, q.unitId);
    return this.readPath(path, this.view(actor), q.cursor, q.limit ?? 100);
  }

  /**
   * As `read`, but the page as JSON text spliced from the entries PostgreSQL wrote (no decoding and
   * encoding of the records in between for a reader who sees them whole): the API's fast path.
   */
  async readText(actor: Actor, q: { cursor?: string; limit?: number; unitId?: string }): Promise<ChangePageText> {
    const path = await this.scopePath(actor, q.unitId);
    const view = this.view(actor);
    const limit = q.limit ?? 100;
    const after = decodeChangeCursor(q.cursor);
    const window = Math.max(limit * WINDOW_PER_ITEM, 5_000);
    let slice = await this.repo.sliceText(after, path, limit, window);
    if (slice.rows.length < limit && Math.max(after, slice.prunedThrough) + window >= slice.head) {
      await this.sequencer.catchUp();
      slice = await this.repo.sliceText(after, path, limit, window);
    }
    if (after > slice.head) throw changeFeedError(ChangeFeedErrorCode.InvalidCursor);
    if (q.cursor && after < slice.prunedThrough) throw changeFeedError(ChangeFeedErrorCode.CursorExpired);
    const rows = slice.rows;
    const next =
      rows.length === limit
        ? Number(rows[rows.length - 1].seq)
        : Math.min(slice.head, Math.max(after, slice.prunedThrough) + window);
    const items = rows.map((r) => entryTextFor(r.entityType, r.entry, view)).join(',');
    return {
      json: `{"items":[${items}],"nextCursor":${JSON.stringify(encodeChangeCursor(next))},"hasMore":${next < slice.head},"headCursor":${JSON.stringify(encodeChangeCursor(slice.head))}}`,
      entityIds: rows.map((r) => r.entityId),
    };
  }

  /** A page of the subtree `path` after `cursor` (a reader sees what was committed before it asked). */
  async readPath(path: string, view: ChangeView, cursor: string | undefined, limit: number): Promise<ChangePage> {
    const after = decodeChangeCursor(cursor);
    const window = Math.max(limit * WINDOW_PER_ITEM, 5_000);
    let slice = await this.repo.slice(after, path, limit, window);
    // At the head, number what has committed meanwhile first (a reader sees its own writes); while
    // catching up, the pages below the head need no sequencer round.
    if (slice.rows.length < limit && Math.max(after, slice.prunedThrough) + window >= slice.head) {
      await this.sequencer.catchUp();
      slice = await this.repo.slice(after, path, limit, window);
    }
    if (after > slice.head) throw changeFeedError(ChangeFeedErrorCode.InvalidCursor);
    if (cursor && after < slice.prunedThrough) throw changeFeedError(ChangeFeedErrorCode.CursorExpired);
    const items = slice.rows.map((r) => toChangeEntry(r, view));
    // A full page ends at its last entry; a short one saw everything up to the end of its window.
    const next =
      items.length === limit
        ? items[items.length - 1].sequence
        : Math.min(slice.head, Math.max(after, slice.prunedThrough) + window);
    return {
      items,
      nextCursor: encodeChangeCursor(next),
      hasMore: next < slice.head,
      headCursor: encodeChangeCursor(slice.head),
    };
  }
}
