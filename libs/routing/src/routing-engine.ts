import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import {
  type ConversationRouter,
  ConversationRouting,
  type RoutingContact,
  type RoutingDecision,
} from '@readerdesk/conversations';
import { Clock, EventBus, ExpiringCache, LibraryScope } from '@readerdesk/platform';
import { StaffDirectory } from '@readerdesk/staff';
import { OPENING_HOURS, type OpeningHours } from './opening-hours.port';
import { type CompiledRule, compileRule, contactFacts, firstMatch } from './rule-matcher';
import { RoutingRulesChanged } from './routing.events';
import { RoutingRuleRepository } from './routing-rule.repository';

/** How long a process keeps a library's rules without hearing of a change (the event may be lost while Redis is away). */
export const RULE_CACHE_MS = 10_000;

interface RuleSet {
  rules: CompiledRule[];
  usesOpenNow: boolean;
  departmentNames: Map<string, string>;
}

/**
 * The conversation router of the desk: the library's enabled rules, compiled and kept in memory for
 * a few seconds (ingestion is hot), dropped at once on `RoutingRulesChanged` in every process.
 */
@Injectable()
export class RoutingEngine implements ConversationRouter, OnModuleInit {
  private readonly cache: ExpiringCache<RuleSet>;

  constructor(
    clock: Clock,
    private readonly events: EventBus,
    private readonly rules: RoutingRuleRepository,
    private readonly staff: StaffDirectory,
    private readonly routing: ConversationRouting,
    @Inject(OPENING_HOURS) private readonly hours: OpeningHours,
  ) {
    this.cache = new ExpiringCache(clock, RULE_CACHE_MS);
  }

  onModuleInit(): void {
    this.events.subscribe(RoutingRulesChanged, ({ libraryId }) => {
      this.cache.drop(libraryId);
    });
    this.routing.provide(this);
  }

  async route(scope: LibraryScope, contact: RoutingContact): Promise<RoutingDecision | null> {
    const set = await this.ruleSet(scope);
    if (set.rules.length === 0) return null;
    const openNow = set.usesOpenNow
      ? await this.hours.isOpen(
          scope,
          { departmentId: contact.defaultDepartmentId, inboxId: contact.inboxId },
          contact.at,
        )
      : null;
    const match = firstMatch(set.rules, contactFacts(contact, openNow));
    if (!match) return null;
    const { rule } = match;
    const { actions } = rule;
    return {
      ruleId: rule.id,
      ruleName: rule.name,
      ...(actions.departmentId
        ? { departmentId: actions.departmentId, departmentName: set.departmentNames.get(actions.departmentId) ?? null }
        : {}),
      ...(actions.priority ? { priority: actions.priority } : {}),
      ...(actions.tags?.length ? { tags: actions.tags } : {}),
      ...(actions.slaPolicyId ? { slaPolicyId: actions.slaPolicyId } : {}),
      ...(actions.requiredSkills ? { requiredSkills: actions.requiredSkills } : {}),
    };
  }

  private ruleSet(scope: LibraryScope): Promise<RuleSet> {
    return this.cache.get(scope.libraryId, () => this.load(scope));
  }

  private async load(scope: LibraryScope): Promise<RuleSet> {
    const stored = await this.rules.ordered(scope);
    const enabled = stored.filter((r) => r.enabled).map((r) => compileRule(r));
    const departmentNames = new Map<string, string>();
    if (enabled.some((c) => c.rule.actions.departmentId)) {
      for (const d of await this.staff.listDepartments(scope)) departmentNames.set(d.id, d.name);
    }
    return { rules: enabled, usesOpenNow: enabled.some((c) => c.usesOpenNow), departmentNames };
  }
}
