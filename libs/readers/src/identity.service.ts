import { Injectable } from '@nestjs/common';
import {
  DatabaseService,
  DomainError,
  NotFoundError,
  EventBus,
  isUniqueViolation,
  LibraryScope,
  newRowId,
} from '@readerdesk/platform';
import { Library, LibraryDirectory } from '@readerdesk/tenancy';
import { normaliseHandle, NormalisedHandle } from './handle-normaliser';
import { ReaderEvent, ReaderEventType } from './reader-event.entity';
import { ReaderEventRepository } from './reader-event.repository';
import { HandleKind, ReaderHandle } from './reader-handle.entity';
import { ReaderHandleRepository } from './reader-handle.repository';
import { Reader } from './reader.entity';
import { ReaderCreated, ReaderHandleUnlinked, ReadersMerged } from './reader.events';
import { ReaderRepository } from './reader.repository';
import { ReaderErrors } from './readers.errors';

export interface HandleInput {
  kind: HandleKind;
  value: string;
}

export interface ResolveInput {
  handles: HandleInput[];
  displayName?: string | null;
  preferredLanguage?: string | null;
}

export interface Resolution {
  reader: Reader;
  created: boolean;
  /** The reader's handles after resolution. */
  handles: ReaderHandle[];
  /** Handles that matched but belong to other readers: candidates for a merge by staff, never merged automatically. */
  conflicts: ReaderHandle[];
}

/** The strongest identifier decides whose record a contact joins when its handles point at several readers. */
const PRIORITY: Record<HandleKind, number> = { card: 0, email: 1, phone: 2, chat: 3 };
const ATTEMPTS = 3;
/** How long a process trusts the library settings it read (a changed default country applies after this). */
const LIBRARY_CACHE_MS = 30_000;

/** A reader first met through these handles: their card number if one is a card, consent as the library's default. */
function newReader(
  input: { displayName?: string | null; preferredLanguage?: string | null },
  handles: Array<{ kind: string; value: string }>,
  keepHistory: boolean,
): Reader {
  return {
    id: newRowId(),
    displayName: input.displayName ?? null,
    preferredLanguage: input.preferredLanguage ?? null,
    cardNumber: handles.find((h) => h.kind === 'card')?.value ?? null,
    ilsId: null,
    category: null,
    homeBranchId: null,
    keepHistory,
    mergedIntoId: null,
  } as Reader;
}

function newHandle(readerId: string, h: NormalisedHandle): ReaderHandle {
  return { id: newRowId(), readerId, kind: h.kind, value: h.value, raw: h.raw, valid: h.valid } as ReaderHandle;
}

/** Handles of many contacts and the readers they belong to (`IdentityService.lookupMany`). */
export interface HandleLookup {
  wanted: NormalisedHandle[][];
  known: Map<string, ReaderHandle & { reader: Reader }>;
  keepHistoryByDefault: boolean;
}

/**
 * What `IdentityService.settleMany` decided: the reader of each contact (null: left to `resolve`),
 * and the readers and handles it met for the first time, to be written by `storeSettled`.
 */
export interface SettledIdentities {
  readers: Array<{ reader: Reader; created: boolean } | null>;
  newReaders: Reader[];
  newHandles: ReaderHandle[];
}

const handleKey = (h: { kind: string; value: string }): string => `${h.kind}\u0000${h.value}`;

/**
 * Finds or creates the reader behind a contact's handles, merges two readers and unlinks a handle
 * merged by mistake. Safe under concurrency: the unique index on (library, kind, value) decides a
 * race, and the loser retries and finds the winner's reader.
 */
@Injectable()
export class IdentityService {
  constructor(
    private readonly db: DatabaseService,
    private readonly events: EventBus,
    private readonly libraries: LibraryDirectory,
    private readonly readers: ReaderRepository,
    private readonly handles: ReaderHandleRepository,
    private readonly history: ReaderEventRepository,
  ) {}

  private readonly libraryCache = new Map<string, { library: Library; until: number }>();

  /**
   * The library's identity settings (default country, consent default), read at most every
   * LIBRARY_CACHE_MS per process: every inbound contact needs them, and they change rarely.
   */
  private async library(scope: LibraryScope): Promise<Library> {
    const cached = this.libraryCache.get(scope.libraryId);
    const now = Date.now();
    if (cached && cached.until > now) return cached.library;
    const library = await this.libraries.findById(scope.libraryId);
    if (!library) throw new NotFoundError('Library');
    this.libraryCache.set(scope.libraryId, { library, until: now + LIBRARY_CACHE_MS });
    return library;
  }

  async normalise(scope: LibraryScope, inputs: HandleInput[]): Promise<NormalisedHandle[]> {
    const library = await this.library(scope);
    const seen = new Map<string, NormalisedHandle>();
    for (const input of inputs) {
      if (!input.value?.trim()) continue;
      const handle = normaliseHandle(input.kind, input.value, library.defaultCountry);
      seen.set(`${handle.kind}\u0000${handle.value}`, handle);
    }
    return [...seen.values()];
  }

  async resolve(scope: LibraryScope, input: ResolveInput): Promise<Resolution> {
    const wanted = await this.normalise(scope, input.handles);
    if (wanted.length === 0)
      throw new DomainError(ReaderErrors.noHandles, 'A contact needs at least one handle to identify its reader');
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.db.transaction(() => this.resolveOnce(scope, wanted, input));
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= ATTEMPTS) throw error;
      }
    }
  }

  /**
   * The reader behind a contact, for the ingestion path: the same outcome as `resolve`, but when every
   * handle is already known and names one reader with nothing to fill in (the usual case for a
   * returning reader) it is two reads and no transaction, and the reader's handles are not loaded.
   */
  async resolveReader(scope: LibraryScope, input: ResolveInput): Promise<{ reader: Reader; created: boolean }> {
    const wanted = await this.normalise(scope, input.handles);
    if (wanted.length > 0) {
      const existing = await this.handles.findValues(scope, wanted);
      const owners = new Set(existing.map((h) => h.readerId));
      if (existing.length === wanted.length && owners.size === 1) {
        const reader = await this.readers.findById(scope, existing[0].readerId);
        if (reader && (reader.displayName || !input.displayName)) return { reader, created: false };
      }
    }
    const { reader, created } = await this.resolve(scope, input);
    return { reader, created };
  }

  /**
   * Resolution of many contacts at once, for batched ingestion, in two steps: `lookupMany` reads
   * every handle of every contact with its reader in one query (before the caller's transaction,
   * beside its other reads), then `settleMany` decides, for the contacts the caller keeps, without
   * another read. A contact gets null when it needs `resolve`'s full treatment (no handle, handles of
   * several readers, some handles known and others not, a name to fill in); the caller resolves
   * those one by one. Contacts of the same new person share the reader created for the first.
   */
  async lookupMany(scope: LibraryScope, inputs: ResolveInput[]): Promise<HandleLookup> {
    const library = await this.library(scope);
    const wanted = await Promise.all(inputs.map((input) => this.normalise(scope, input.handles)));
    const distinct = new Map(wanted.flat().map((h) => [handleKey(h), h]));
    const existing = await this.handles.findValuesWithReaders(scope, [...distinct.values()]);
    return {
      wanted,
      known: new Map(existing.map((h) => [handleKey(h), h])),
      keepHistoryByDefault: library.keepHistoryByDefault,
    };
  }

  /**
   * The second step (see `lookupMany`) for the contacts `keep` names; the others get null. Nothing
   * is read, written or published here: the caller writes the new readers and handles with
   * `storeSettled` in its transaction. A unique violation there (another process created the same
   * handle meanwhile) fails that transaction, and the caller falls back to `resolve` for every contact.
   */
  settleMany(lookup: HandleLookup, inputs: ResolveInput[], keep: (index: number) => boolean): SettledIdentities {
    const createdHere = new Map<string, Reader>();
    const newReaders: Reader[] = [];
    const newHandles: ReaderHandle[] = [];
    const readers = inputs.map((input, i): { reader: Reader; created: boolean } | null => {
      const handles = lookup.wanted[i];
      if (!keep(i) || handles.length === 0) return null;
      const found = handles.map((h) => lookup.known.get(handleKey(h)));
      if (found.every((h) => h !== undefined)) {
        const readerIds = new Set(found.map((h) => h.readerId));
        const reader = found[0].reader;
        if (readerIds.size !== 1 || !reader || (!reader.displayName && input.displayName)) return null;
        return { reader, created: false };
      }
      if (found.some((h) => h !== undefined)) return null;
      const mine = new Set(handles.map((h) => createdHere.get(handleKey(h))));
      if (mine.size === 1 && !mine.has(undefined)) return { reader: [...mine][0]!, created: false };
      if (mine.size > 1) return null;
      const reader = newReader(input, handles, lookup.keepHistoryByDefault);
      newReaders.push(reader);
      for (const h of handles) {
        createdHere.set(handleKey(h), reader);
        newHandles.push(newHandle(reader.id, h));
      }
      return { reader, created: true };
    });
    return { readers, newReaders, newHandles };
  }

  /**
   * Writes the readers and handles `settleMany` met for the first time (multi-row inserts) and
   * publishes their `ReaderCreated`; meant for the caller's transaction, so the events go out after
   * its commit and never after a rollback.
   */
  async storeSettled(scope: LibraryScope, settled: SettledIdentities): Promise<void> {
    if (settled.newReaders.length === 0) return;
    await this.readers.insert(scope, ...settled.newReaders);
    await this.handles.insert(scope, ...settled.newHandles);
    for (const reader of settled.newReaders) {
      this.events.publish(ReaderCreated, { libraryId: scope.libraryId, readerId: reader.id });
    }
  }

  private async resolveOnce(scope: LibraryScope, wanted: NormalisedHandle[], input: ResolveInput): Promise<Resolution> {
    const existing = await this.handles.findValues(scope, wanted);
    let reader: Reader;
    let created = false;
    if (existing.length === 0) {
      const library = await this.library(scope);
      [reader] = await this.readers.insert(scope, newReader(input, wanted, library.keepHistoryByDefault));
      created = true;
      this.events.publish(ReaderCreated, { libraryId: scope.libraryId, readerId: reader.id });
    } else {
      const owner = [...existing].sort((a, b) => PRIORITY[a.kind] - PRIORITY[b.kind])[0];
      reader = await this.readers.getById(scope, owner.readerId);
      if (!reader.displayName && input.displayName) {
        await this.readers.update(scope, reader.id, { displayName: input.displayName });
        reader.displayName = input.displayName;
      }
    }
    const missing = wanted.filter((w) => !existing.some((e) => e.kind === w.kind && e.value === w.value));
    if (missing.length > 0) {
      await this.handles.insert(scope, ...missing.map((h) => newHandle(reader.id, h)));
    }
    return {
      reader,
      created,
      handles: await this.handles.forReader(scope, reader.id),
      conflicts: existing.filter((e) => e.readerId !== reader.id),
    };
  }

  /** Moves everything of `sourceId` to `targetId`. The source stays as a tombstone pointing at the target. */
  async merge(
    scope: LibraryScope,
    targetId: string,
    sourceId: string,
    actorAgentId: string | null = null,
  ): Promise<Reader> {
    if (targetId === sourceId)
      throw new DomainError(ReaderErrors.mergeSameReader, 'A reader cannot be merged into itself');
    return this.db.transaction(async () => {
      const target = await this.readers.getById(scope, targetId);
      const source = await this.readers.getById(scope, sourceId);
      if (source.mergedIntoId || target.mergedIntoId) {
        throw new DomainError(ReaderErrors.readerAlreadyMerged, 'One of these readers was already merged into another');
      }
      const moved = await this.handles.moveAll(scope, source.id, target.id);
      // Fill the target's gaps from the source; consent takes the more private choice of the two.
      const changes: Partial<Reader> = {
        displayName: target.displayName ?? source.displayName,
        preferredLanguage: target.preferredLanguage ?? source.preferredLanguage,
        ilsId: target.ilsId ?? source.ilsId,
        category: target.category ?? source.category,
        homeBranchId: target.homeBranchId ?? source.homeBranchId,
        keepHistory: target.keepHistory && source.keepHistory,
      };
      const takesCard = !target.cardNumber && source.cardNumber;
      await this.readers.update(scope, source.id, {
        mergedIntoId: target.id,
        ...(takesCard ? { cardNumber: null } : {}),
      });
      if (takesCard) changes.cardNumber = source.cardNumber;
      await this.readers.update(scope, target.id, changes);
      await this.history.insert(
        scope,
        this.event(target.id, 'absorbed', actorAgentId, { sourceReaderId: source.id, handlesMoved: moved }),
        this.event(source.id, 'merged', actorAgentId, { intoReaderId: target.id }),
      );
      this.events.publish(ReadersMerged, {
        libraryId: scope.libraryId,
        targetReaderId: target.id,
        sourceReaderId: source.id,
        actorAgentId,
      });
      return this.readers.getById(scope, target.id);
    });
  }

  /** Detaches a handle that was joined to the wrong reader; it becomes a new reader of its own. */
  async unlink(scope: LibraryScope, handleId: string, actorAgentId: string | null = null): Promise<Resolution> {
    return this.db.transaction(async () => {
      const handle = await this.handles.getById(scope, handleId);
      const from = await this.readers.getById(scope, handle.readerId);
      if ((await this.handles.count(scope, { readerId: from.id })) < 2) {
        throw new DomainError(ReaderErrors.lastHandle, "A reader's only handle cannot be unlinked");
      }
      const library = await this.library(scope);
      // Its card number moves below, with the card handle.
      const [reader] = await this.readers.insert(scope, newReader({}, [], library.keepHistoryByDefault));
      await this.handles.update(scope, handle.id, { readerId: reader.id });
      if (handle.kind === 'card' && from.cardNumber === handle.value) {
        await this.readers.update(scope, from.id, { cardNumber: null });
        await this.readers.update(scope, reader.id, { cardNumber: handle.value });
      }
      await this.history.insert(
        scope,
        this.event(from.id, 'handle_unlinked', actorAgentId, {
          handleId: handle.id,
          kind: handle.kind,
          value: handle.value,
          newReaderId: reader.id,
        }),
      );
      this.events.publish(ReaderHandleUnlinked, {
        libraryId: scope.libraryId,
        handleId: handle.id,
        fromReaderId: from.id,
        toReaderId: reader.id,
      });
      return {
        reader: await this.readers.getById(scope, reader.id),
        created: true,
        handles: await this.handles.forReader(scope, reader.id),
        conflicts: [],
      };
    });
  }

  private event(
    readerId: string,
    type: ReaderEventType,
    actorAgentId: string | null,
    data: Record<string, unknown>,
  ): ReaderEvent {
    // The repository stamps the library id from the scope.
    return { id: newRowId(), libraryId: '', readerId, type, actorAgentId, data } as ReaderEvent;
  }
}
