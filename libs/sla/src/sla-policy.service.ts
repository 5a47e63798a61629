import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Channel, Conversation, Priority } from '@readerdesk/conversations';
import { Clock, DomainError, EventBus, ExpiringCache, LibraryScope, newRowId } from '@readerdesk/platform';
import { StaffDirectory } from '@readerdesk/staff';
import { SlaPolicy } from './sla-policy.entity';
import { SlaPolicyRepository } from './sla-policy.repository';
import { SlaErrors } from './sla.errors';
import { SlaPoliciesChanged } from './sla.events';

/** How long a process keeps a library's policies without hearing of a change (the event may be lost while Redis is away). */
const POLICY_CACHE_MS = 10_000;

export interface SlaPolicyInput {
  name: string;
  departmentId?: string | null;
  priority?: Priority | null;
  channel?: Channel | null;
  firstResponseMinutes?: number | null;
  nextResponseMinutes?: number | null;
  resolutionMinutes?: number | null;
  businessHours?: boolean;
  warnAt?: number;
}

const TARGET_FIELDS = ['firstResponseMinutes', 'nextResponseMinutes', 'resolutionMinutes'] as const;

/**
 * The policy for a conversation: the most specific match (most of department, priority and channel
 * set and equal to the conversation's); among equally specific ones a department match ranks above
 * a priority match above a channel match, then the oldest policy (then its id) wins.
 */
export function mostSpecific(
  policies: readonly SlaPolicy[],
  conversation: Pick<Conversation, 'departmentId' | 'priority' | 'channel'>,
): SlaPolicy | null {
  let best: { policy: SlaPolicy; count: number; weight: number } | null = null;
  for (const policy of policies) {
    if (policy.departmentId !== null && policy.departmentId !== conversation.departmentId) continue;
    if (policy.priority !== null && policy.priority !== conversation.priority) continue;
    if (policy.channel !== null && policy.channel !== conversation.channel) continue;
    const set = [policy.departmentId, policy.priority, policy.channel].map((v) => v !== null);
    const count = set.filter(Boolean).length;
    const weight = (set[0] ? 4 : 0) + (set[1] ? 2 : 0) + (set[2] ? 1 : 0);
    const older =
      best !== null &&
      (policy.createdAt.getTime() < best.policy.createdAt.getTime() ||
        (policy.createdAt.getTime() === best.policy.createdAt.getTime() && policy.id < best.policy.id));
    if (
      !best ||
      count > best.count ||
      (count === best.count && (weight > best.weight || (weight === best.weight && older)))
    )
      best = { policy, count, weight };
  }
  return best?.policy ?? null;
}

/** SLA policies per library: stored, checked (targets > 0, at least one), matched. */
@Injectable()
export class SlaPolicyService implements OnModuleInit {
  /** Read on every event that moves a clock: kept per library, dropped on SlaPoliciesChanged. */
  private readonly cache: ExpiringCache<SlaPolicy[]>;

  constructor(
    private readonly policies: SlaPolicyRepository,
    private readonly staff: StaffDirectory,
    private readonly events: EventBus,
    clock: Clock,
  ) {
    this.cache = new ExpiringCache(clock, POLICY_CACHE_MS);
  }

  onModuleInit(): void {
    this.events.subscribe(SlaPoliciesChanged, ({ libraryId }) => this.cache.drop(libraryId));
  }

  list(scope: LibraryScope): Promise<SlaPolicy[]> {
    return this.policies.all(scope);
  }

  get(scope: LibraryScope, id: string): Promise<SlaPolicy> {
    return this.policies.getById(scope, id);
  }

  async create(scope: LibraryScope, input: SlaPolicyInput): Promise<SlaPolicy> {
    const row: SlaPolicy = {
      id: newRowId(),
      libraryId: scope.libraryId,
      name: input.name.trim(),
      departmentId: input.departmentId ?? null,
      priority: input.priority ?? null,
      channel: input.channel ?? null,
      firstResponseMinutes: input.firstResponseMinutes ?? null,
      nextResponseMinutes: input.nextResponseMinutes ?? null,
      resolutionMinutes: input.resolutionMinutes ?? null,
      businessHours: input.businessHours ?? true,
      warnAt: input.warnAt ?? 0.8,
      createdAt: new Date(),
      updatedAt: new Date(),
    };
    await this.check(scope, row);
    await this.policies.insert(scope, row);
    this.changed(scope);
    return this.policies.getById(scope, row.id);
  }

  async update(scope: LibraryScope, id: string, input: Partial<SlaPolicyInput>): Promise<SlaPolicy> {
    const existing = await this.policies.getById(scope, id);
    const changes: Partial<SlaPolicy> = {};
    for (const [key, value] of Object.entries(input)) {
      if (value !== undefined)
        (changes as Record<string, unknown>)[key] = key === 'name' ? String(value).trim() : value;
    }
    await this.check(scope, { ...existing, ...changes });
    await this.policies.update(scope, id, changes);
    this.changed(scope);
    return this.policies.getById(scope, id);
  }

  async remove(scope: LibraryScope, id: string): Promise<void> {
    await this.policies.getById(scope, id);
    await this.policies.delete(scope, id);
    this.changed(scope);
  }

  /** Published after the commit when in a transaction; every process (this one too) drops its cache. */
  private changed(scope: LibraryScope): void {
    this.cache.drop(scope.libraryId);
    this.events.publish(SlaPoliciesChanged, { libraryId: scope.libraryId });
  }

  /** The override when it is one of the library's policies, else the most specific match; null: no SLA. */
  async applicable(
    scope: LibraryScope,
    conversation: Pick<Conversation, 'departmentId' | 'priority' | 'channel' | 'slaPolicyId'>,
  ): Promise<SlaPolicy | null> {
    const all = await this.cache.get(scope.libraryId, () => this.policies.all(scope));
    const pinned = conversation.slaPolicyId ? all.find((p) => p.id === conversation.slaPolicyId) : undefined;
    return pinned ?? mostSpecific(all, conversation);
  }

  private async check(scope: LibraryScope, policy: SlaPolicy): Promise<void> {
    const problems: Array<{ field: string; message: string }> = [];
    for (const field of TARGET_FIELDS) {
      const value = policy[field];
      if (value !== null && (!Number.isInteger(value) || value <= 0))
        problems.push({ field, message: `${field} must be a whole number of minutes greater than 0` });
    }
    if (TARGET_FIELDS.every((field) => policy[field] === null))
      problems.push({ field: 'firstResponseMinutes', message: 'A policy needs at least one target' });
    if (!(policy.warnAt > 0 && policy.warnAt < 1))
      problems.push({ field: 'warnAt', message: 'warnAt must be a share between 0 and 1, such as 0.8' });
    if (!policy.name) problems.push({ field: 'name', message: 'name must not be empty' });
    if (problems.length > 0)
      throw new DomainError(SlaErrors.invalidSlaPolicy, problems.map((p) => p.message).join('; '), {
        errors: problems,
      });
    if (policy.departmentId) await this.staff.assertDepartmentsExist(scope, [policy.departmentId]);
  }
}
