import { Inject, Injectable } from '@nestjs/common';
import {
  CHANNELS,
  type Channel,
  InboxService,
  normaliseTags,
  PRIORITIES,
  QUESTION_TYPES,
  type RequiredSkills,
  type RoutingContact,
  type RoutingHints,
} from '@readerdesk/conversations';
import {
  DatabaseService,
  DomainError,
  EventBus,
  type FieldProblem,
  LibraryScope,
  newRowId,
  NotFoundError,
} from '@readerdesk/platform';
import { StaffDirectory } from '@readerdesk/staff';
import { LibraryDirectory } from '@readerdesk/tenancy';
import { OPENING_HOURS, type OpeningHours } from './opening-hours.port';
import {
  compileRule,
  CONDITION_FIELDS,
  CONDITION_OPERATORS,
  contactFacts,
  foldWords,
  type RuleActions,
  type RuleCondition,
  type RuleVerdict,
  verdictOf,
} from './rule-matcher';
import { RoutingErrors } from './routing.errors';
import { RoutingRulesChanged } from './routing.events';
import { RoutingRule } from './routing-rule.entity';
import { RoutingRuleRepository } from './routing-rule.repository';

export interface RuleFields {
  name: string;
  enabled?: boolean;
  /** 0-based place in the order; absent: last. */
  position?: number;
  conditions: RuleCondition[];
  actions: RuleActions;
}

export type RuleChanges = Partial<RuleFields>;

/** A contact described by hand, for the dry run. */
export interface DryRunContact {
  inboxId: string;
  channel?: Channel;
  subject?: string | null;
  text?: string | null;
  hints?: RoutingHints;
  reader?: { category?: string | null; homeBranchId?: string | null; preferredLanguage?: string | null };
  at?: Date;
}

export interface DryRunResult {
  rule: { id: string; name: string } | null;
  decision: {
    departmentId: string | null;
    source: 'rule' | 'inbox_default';
    priority: string;
    tags: string[];
    slaPolicyId: string | null;
    requiredSkills: RequiredSkills | null;
  };
  /** Every rule in order, with its own verdict: why each did not match. */
  rules: RuleVerdict[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function invalid(errors: FieldProblem[]): DomainError {
  return new DomainError(
    RoutingErrors.invalidRoutingRule,
    `The routing rule cannot be saved: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
    { errors },
  );
}

/** Conditions and actions as stored: normalised, without empty parts. */
function cleanActions(actions: RuleActions): RuleActions {
  const out: RuleActions = {};
  if (actions.departmentId) out.departmentId = actions.departmentId;
  if (actions.priority) out.priority = actions.priority;
  if (actions.tags?.length) out.tags = normaliseTags(actions.tags);
  if (actions.slaPolicyId) out.slaPolicyId = actions.slaPolicyId;
  const languages = [...new Set((actions.requiredSkills?.languages ?? []).map((l) => l.trim()).filter(Boolean))];
  const subjects = normaliseTags(actions.requiredSkills?.subjects ?? []);
  if (languages.length || subjects.length) {
    out.requiredSkills = { ...(languages.length ? { languages } : {}), ...(subjects.length ? { subjects } : {}) };
  }
  return out;
}

/** Rules as data: CRUD with validation on save, the order, and the dry run. */
@Injectable()
export class RoutingRulesService {
  constructor(
    private readonly db: DatabaseService,
    private readonly events: EventBus,
    private readonly rules: RoutingRuleRepository,
    private readonly staff: StaffDirectory,
    private readonly inboxes: InboxService,
    private readonly libraries: LibraryDirectory,
    @Inject(OPENING_HOURS) private readonly hours: OpeningHours,
  ) {}

  list(scope: LibraryScope): Promise<RoutingRule[]> {
    return this.rules.ordered(scope);
  }

  get(scope: LibraryScope, id: string): Promise<RoutingRule> {
    return this.rules.getById(scope, id);
  }

  async create(scope: LibraryScope, fields: RuleFields): Promise<RoutingRule> {
    const clean = await this.validate(scope, fields);
    return this.db.transaction(async () => {
      const ordered = await this.rules.ordered(scope);
      const rule = {
        id: newRowId(),
        libraryId: scope.libraryId,
        name: fields.name.trim(),
        enabled: fields.enabled ?? true,
        position: ordered.length,
        conditions: clean.conditions,
        actions: clean.actions,
      } as RoutingRule;
      const [stored] = await this.rules.insert(scope, rule);
      await this.place(scope, [...ordered, stored], stored, fields.position);
      this.changed(scope);
      return this.rules.getById(scope, stored.id);
    });
  }

  async update(scope: LibraryScope, id: string, changes: RuleChanges): Promise<RoutingRule> {
    return this.db.transaction(async () => {
      const rule = await this.rules.getById(scope, id);
      const clean = await this.validate(scope, {
        name: changes.name ?? rule.name,
        conditions: changes.conditions ?? rule.conditions,
        actions: changes.actions ?? rule.actions,
      });
      await this.rules.update(scope, id, {
        name: (changes.name ?? rule.name).trim(),
        enabled: changes.enabled ?? rule.enabled,
        conditions: clean.conditions,
        actions: clean.actions,
      });
      if (changes.position !== undefined)
        await this.place(scope, await this.rules.ordered(scope), rule, changes.position);
      this.changed(scope);
      return this.rules.getById(scope, id);
    });
  }

  async remove(scope: LibraryScope, id: string): Promise<void> {
    await this.db.transaction(async () => {
      await this.rules.getById(scope, id);
      await this.rules.delete(scope, id);
      await this.renumber(
        scope,
        (await this.rules.ordered(scope)).filter((r) => r.id !== id),
      );
      this.changed(scope);
    });
  }

  /** The whole order at once: every rule of the library, each once. */
  async reorder(scope: LibraryScope, ids: string[]): Promise<RoutingRule[]> {
    return this.db.transaction(async () => {
      const ordered = await this.rules.ordered(scope);
      const byId = new Map(ordered.map((r) => [r.id, r]));
      const unknown = ids.filter((id) => !byId.has(id));
      // Another library's rule reads as one that does not exist.
      if (unknown.length > 0) throw new NotFoundError(`Routing rule ${unknown.join(', ')}`);
      if (new Set(ids).size !== ids.length || ids.length !== ordered.length) {
        throw invalid([{ field: 'ids', message: 'ids must list every routing rule of the library exactly once' }]);
      }
      await this.renumber(
        scope,
        ids.map((id) => byId.get(id)!),
      );
      this.changed(scope);
      return this.rules.ordered(scope);
    });
  }

  /** Which rule would take this contact, and what it would decide; nothing is stored. Reads the rules as saved, not the cache. */
  async dryRun(scope: LibraryScope, input: DryRunContact): Promise<DryRunResult> {
    const inbox = await this.inboxes.get(scope, input.inboxId);
    const ordered = await this.rules.ordered(scope);
    const compiled = ordered.map((r) => compileRule(r));
    const hints = input.hints ?? {};
    const contact: RoutingContact = {
      inboxId: inbox.id,
      channel: input.channel ?? inbox.channel,
      subject: input.subject ?? null,
      text: input.text ?? null,
      reader: {
        id: 'dry-run',
        category: input.reader?.category ?? null,
        homeBranchId: input.reader?.homeBranchId ?? null,
        preferredLanguage: input.reader?.preferredLanguage ?? null,
      },
      hints,
      defaultDepartmentId: inbox.defaultDepartmentId,
      at: input.at ?? new Date(),
    };
    const openNow = compiled.some((c) => c.usesOpenNow && c.rule.enabled)
      ? await this.hours.isOpen(scope, { departmentId: inbox.defaultDepartmentId, inboxId: inbox.id }, contact.at)
      : null;
    const facts = contactFacts(contact, openNow);
    const verdicts = compiled.map((c) => verdictOf(c, facts));
    const winner = ordered.find((_, k) => verdicts[k].matched) ?? null;
    const actions = winner?.actions ?? {};
    return {
      rule: winner ? { id: winner.id, name: winner.name } : null,
      decision: {
        // A department the reader chose is a condition, not a destination: only a rule sends it there.
        departmentId: actions.departmentId ?? inbox.defaultDepartmentId,
        source: actions.departmentId ? 'rule' : 'inbox_default',
        priority: actions.priority ?? 'normal',
        tags: actions.tags ?? [],
        slaPolicyId: actions.slaPolicyId ?? null,
        requiredSkills: actions.requiredSkills ?? null,
      },
      rules: verdicts,
    };
  }

  private changed(scope: LibraryScope): void {
    this.events.publish(RoutingRulesChanged, { libraryId: scope.libraryId });
  }

  /** Moves `rule` to `position` (clamped) among `ordered`, then numbers them 0…n-1. */
  private async place(
    scope: LibraryScope,
    ordered: RoutingRule[],
    rule: RoutingRule,
    position: number | undefined,
  ): Promise<void> {
    const rest = ordered.filter((r) => r.id !== rule.id);
    const at = Math.max(0, Math.min(position ?? rest.length, rest.length));
    rest.splice(at, 0, rule);
    await this.renumber(scope, rest);
  }

  private async renumber(scope: LibraryScope, ordered: RoutingRule[]): Promise<void> {
    const moves = ordered.flatMap((r, k) => (r.position === k ? [] : [{ id: r.id, changes: { position: k } }]));
    if (moves.length > 0) await this.rules.updateMany(scope, moves);
  }

  /**
   * What the DTO cannot see: operators per field, values per field, the library's own inboxes,
   * departments and branches (another library's id is as unknown as a deleted one), at least one action.
   */
  private async validate(
    scope: LibraryScope,
    fields: Pick<RuleFields, 'name' | 'conditions' | 'actions'>,
  ): Promise<{ conditions: RuleCondition[]; actions: RuleActions }> {
    const errors: FieldProblem[] = [];
    if (!fields.name?.trim()) errors.push({ field: 'name', message: 'name must not be empty' });
    const [departments, inboxes, branches] = await Promise.all([
      this.staff.listDepartments(scope),
      this.inboxes.list(scope),
      this.libraries.branches(scope),
    ]);
    const known = {
      department: new Set(departments.map((d) => d.id)),
      inbox: new Set(inboxes.map((i) => i.id)),
      branch: new Set(branches.map((b) => b.id)),
    };
    const conditions: RuleCondition[] = [];
    (fields.conditions ?? []).forEach((condition, k) => {
      const at = `conditions.${k}`;
      const field = condition.field;
      if (!CONDITION_FIELDS.includes(field)) {
        errors.push({
          field: `${at}.field`,
          message: `unknown condition field ${String(field)}; one of ${CONDITION_FIELDS.join(', ')}`,
        });
        return;
      }
      const ops: readonly string[] = CONDITION_OPERATORS[field];
      if (!ops.includes(condition.op)) {
        errors.push({
          field: `${at}.op`,
          message: `${field} takes the operator ${ops.join(' or ')}, not ${String(condition.op)}`,
        });
        return;
      }
      if (field === 'openNow') {
        if (typeof condition.value !== 'boolean')
          errors.push({ field: `${at}.value`, message: 'openNow needs value true or false' });
        else conditions.push({ field, op: condition.op, value: condition.value });
        return;
      }
      const values = [...new Set((condition.values ?? []).map((v) => v.trim()).filter(Boolean))];
      if (values.length === 0) {
        errors.push({ field: `${at}.values`, message: `${field} needs at least one value` });
        return;
      }
      const refuse = (message: string) => errors.push({ field: `${at}.values`, message });
      const notAmong = (allowed: ReadonlySet<string> | readonly string[], what: string) => {
        const set = allowed instanceof Set ? allowed : new Set(allowed as readonly string[]);
        const bad = values.filter((v) => !set.has(v));
        if (bad.length > 0) refuse(`no such ${what}: ${bad.join(', ')}`);
        return bad.length > 0;
      };
      switch (field) {
        case 'inbox':
          if (notAmong(known.inbox, 'inbox of this library')) return;
          break;
        case 'chosenDepartment':
          if (notAmong(known.department, 'department of this library')) return;
          break;
        case 'readerHomeBranch':
          if (notAmong(known.branch, 'branch of this library')) return;
          break;
        case 'channel':
          if (notAmong(CHANNELS, 'channel')) return;
          break;
        case 'questionType':
          if (notAmong(QUESTION_TYPES, 'question type')) return;
          break;
        case 'keywords':
          if (values.some((v) => !foldWords(v))) return void refuse('every keyword needs a letter or a digit');
          break;
        case 'language':
          if (values.some((v) => !/^[a-z]{2,3}([-_][a-z0-9]{2,8})*$/i.test(v)))
            return void refuse('languages are BCP 47 tags (en, fr-CA)');
          break;
        default:
          break;
      }
      conditions.push({ field, op: condition.op, values });
    });
    const actions = cleanActions(fields.actions ?? {});
    if (Object.keys(actions).length === 0) {
      errors.push({
        field: 'actions',
        message: 'a rule needs at least one action: departmentId, priority, tags, slaPolicyId or requiredSkills',
      });
    }
    if (actions.departmentId && !known.department.has(actions.departmentId)) {
      errors.push({
        field: 'actions.departmentId',
        message: `no such department in this library: ${actions.departmentId}`,
      });
    }
    if (actions.priority && !PRIORITIES.includes(actions.priority)) {
      errors.push({ field: 'actions.priority', message: `priority is one of ${PRIORITIES.join(', ')}` });
    }
    // SLA policies do not exist yet (issue #14 item 4): only the id's form is checked.
    if (actions.slaPolicyId && !UUID.test(actions.slaPolicyId)) {
      errors.push({ field: 'actions.slaPolicyId', message: 'slaPolicyId must be a UUID' });
    }
    if (errors.length > 0) throw invalid(errors);
    return { conditions, actions };
  }
}
