import { Injectable, OnModuleInit } from '@nestjs/common';
import { CAPACITY_CHANNELS, type CapacityChannel } from '@readerdesk/contracts';
import { Clock, DatabaseService, DomainError, EventBus, ExpiringCache, LibraryScope } from '@readerdesk/platform';
import { StaffDirectory } from '@readerdesk/staff';
import { OfferErrors } from './offers.errors';
import { OfferSettingsChanged, type OfferMode } from './offer.events';
import {
  type AgentOrder,
  type DepartmentOfferSettings,
  type OfferPolicy,
  offerPolicyOf,
  type OfferTimeouts,
  type OverflowAction,
} from './offer-settings.entity';
import { OfferSettingsRepository } from './offer.repository';

/** How long a process keeps a library's offer settings without hearing of a change (the event may be lost while Redis is away). */
export const SETTINGS_CACHE_MS = 10_000;
/** The longest an offer may ring: an hour (an SMS may wait that long; a call never would). */
export const MAX_OFFER_TIMEOUT_SECONDS = 3_600;

export interface OfferSettingsChange {
  mode?: OfferMode;
  agentOrder?: AgentOrder;
  timeouts?: Partial<Record<CapacityChannel, number | null>>;
  /** null: no overflow. */
  overflow?: { afterSeconds: number; departmentId: string; action: OverflowAction } | null;
}

/** Each department's way of handing out conversations (offer / broadcast / manual, agent order, timeouts, overflow). */
@Injectable()
export class OfferSettingsService implements OnModuleInit {
  private readonly cache: ExpiringCache<Map<string, DepartmentOfferSettings>>;

  constructor(
    clock: Clock,
    private readonly db: DatabaseService,
    private readonly events: EventBus,
    private readonly rows: OfferSettingsRepository,
    private readonly staff: StaffDirectory,
  ) {
    this.cache = new ExpiringCache(clock, SETTINGS_CACHE_MS);
  }

  onModuleInit(): void {
    this.events.subscribe(OfferSettingsChanged, ({ libraryId }) => this.cache.drop(libraryId));
  }

  async get(scope: LibraryScope, departmentId: string): Promise<OfferPolicy> {
    await this.staff.assertDepartmentsExist(scope, [departmentId]);
    return offerPolicyOf(departmentId, (await this.rowsOf(scope)).get(departmentId));
  }

  /** The policy of every department of the library (defaults where nothing is set). */
  async policies(scope: LibraryScope): Promise<Map<string, OfferPolicy>> {
    const rows = await this.rowsOf(scope);
    const result = new Map<string, OfferPolicy>();
    for (const d of await this.staff.listDepartments(scope)) result.set(d.id, offerPolicyOf(d.id, rows.get(d.id)));
    return result;
  }

  async update(scope: LibraryScope, departmentId: string, change: OfferSettingsChange): Promise<OfferPolicy> {
    const overflowTo = change.overflow?.departmentId;
    await this.staff.assertDepartmentsExist(scope, overflowTo ? [departmentId, overflowTo] : [departmentId]);
    const problems: Array<{ field: string; message: string }> = [];
    for (const [channel, seconds] of Object.entries(change.timeouts ?? {})) {
      if (!(CAPACITY_CHANNELS as readonly string[]).includes(channel))
        problems.push({ field: `timeouts.${channel}`, message: `no such channel: ${channel}` });
      else if (seconds !== null && (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_OFFER_TIMEOUT_SECONDS))
        problems.push({
          field: `timeouts.${channel}`,
          message: `must be whole seconds from 1 to ${MAX_OFFER_TIMEOUT_SECONDS}, or null (assigned directly)`,
        });
    }
    if (overflowTo === departmentId)
      problems.push({ field: 'overflow.departmentId', message: 'a department cannot overflow into itself' });
    if (problems.length > 0)
      throw new DomainError(
        OfferErrors.invalidOfferSettings,
        problems.map((p) => `${p.field}: ${p.message}`).join('; '),
        {
          errors: problems,
        },
      );
    const saved = await this.db.transaction(async () => {
      const existing = await this.rows.findById(scope, departmentId);
      const current = offerPolicyOf(departmentId, existing);
      const timeouts: Partial<OfferTimeouts> = { ...existing?.timeouts, ...change.timeouts };
      const overflow = change.overflow === undefined ? current.overflow : change.overflow;
      const values = {
        mode: change.mode ?? current.mode,
        agentOrder: change.agentOrder ?? current.agentOrder,
        timeouts,
        overflowAfterSeconds: overflow?.afterSeconds ?? null,
        overflowDepartmentId: overflow?.departmentId ?? null,
        overflowAction: overflow?.action ?? null,
      };
      if (existing) await this.rows.update(scope, departmentId, values);
      else
        await this.rows.insert(scope, {
          id: departmentId,
          libraryId: scope.libraryId,
          ...values,
        } as DepartmentOfferSettings);
      return (await this.rows.findById(scope, departmentId))!;
    });
    this.cache.drop(scope.libraryId);
    this.events.publish(OfferSettingsChanged, { libraryId: scope.libraryId });
    return offerPolicyOf(departmentId, saved);
  }

  private rowsOf(scope: LibraryScope): Promise<Map<string, DepartmentOfferSettings>> {
    return this.cache.get(scope.libraryId, async () => new Map((await this.rows.find(scope)).map((r) => [r.id, r])));
  }
}
