import type { RoutingContact } from '@readerdesk/conversations';
import { libraryScope } from '@readerdesk/platform';
import type { OpeningHours } from './opening-hours.port';
import { RoutingEngine } from './routing-engine';
import {
  compileRule,
  contactFacts,
  firstMatch,
  foldWords,
  type MatchableRule,
  type RuleCondition,
  verdictOf,
} from './rule-matcher';
import type { RoutingRule } from './routing-rule.entity';

const INBOX = '0195f3c2-7a4b-7c1d-8e2f-000000000001';
const OTHER_INBOX = '0195f3c2-7a4b-7c1d-8e2f-000000000002';
const DEPT = '0195f3c2-7a4b-7c1d-8e2f-0000000000d1';
const BRANCH = '0195f3c2-7a4b-7c1d-8e2f-0000000000b1';

function contact(overrides: Partial<RoutingContact> = {}): RoutingContact {
  return {
    inboxId: INBOX,
    channel: 'email',
    subject: 'A question',
    text: 'Hello',
    reader: { id: 'r1', category: 'adult', homeBranchId: BRANCH, preferredLanguage: 'en' },
    hints: {},
    defaultDepartmentId: null,
    at: new Date('2026-12-01T12:00:00Z'),
    ...overrides,
  };
}

let n = 0;
function rule(conditions: RuleCondition[], overrides: Partial<MatchableRule> = {}): MatchableRule {
  n += 1;
  return { id: `rule-${n}`, name: `Rule ${n}`, enabled: true, conditions, actions: { priority: 'high' }, ...overrides };
}

const matches = (r: MatchableRule, c: RoutingContact, openNow: boolean | null = null): boolean =>
  firstMatch([compileRule(r)], contactFacts(c, openNow)) !== null;

describe('routing rule matching', () => {
  it('folds case, accents and punctuation into words', () => {
    expect(foldWords('Prêt  entre-Bibliothèques!')).toBe('pret entre bibliotheques');
  });

  it('matches inbox and channel with in and notIn', () => {
    expect(matches(rule([{ field: 'inbox', op: 'in', values: [INBOX] }]), contact())).toBe(true);
    expect(matches(rule([{ field: 'inbox', op: 'in', values: [OTHER_INBOX] }]), contact())).toBe(false);
    expect(matches(rule([{ field: 'inbox', op: 'notIn', values: [OTHER_INBOX] }]), contact())).toBe(true);
    expect(matches(rule([{ field: 'channel', op: 'in', values: ['api', 'chat'] }]), contact())).toBe(false);
    expect(matches(rule([{ field: 'channel', op: 'in', values: ['email'] }]), contact())).toBe(true);
  });

  it('matches what the reader chose: department, topic (any case), question type', () => {
    const chose = contact({ hints: { chosenDepartmentId: DEPT, topic: 'Genealogy', questionType: 'research' } });
    expect(matches(rule([{ field: 'chosenDepartment', op: 'in', values: [DEPT] }]), chose)).toBe(true);
    expect(matches(rule([{ field: 'chosenDepartment', op: 'in', values: [DEPT] }]), contact())).toBe(false);
    expect(matches(rule([{ field: 'topic', op: 'in', values: ['genealogy'] }]), chose)).toBe(true);
    expect(matches(rule([{ field: 'questionType', op: 'in', values: ['research'] }]), chose)).toBe(true);
    expect(matches(rule([{ field: 'questionType', op: 'in', values: ['directional'] }]), chose)).toBe(false);
    // Nothing chosen is not "not in": notIn holds.
    expect(matches(rule([{ field: 'topic', op: 'notIn', values: ['genealogy'] }]), contact())).toBe(true);
  });

  it("matches the contact's language, else the reader's, by primary subtag", () => {
    const fr = rule([{ field: 'language', op: 'in', values: ['fr'] }]);
    expect(matches(fr, contact({ hints: { language: 'fr-CA' } }))).toBe(true);
    expect(matches(fr, contact())).toBe(false);
    expect(matches(fr, contact({ reader: { ...contact().reader, preferredLanguage: 'fr' } }))).toBe(true);
    expect(
      matches(rule([{ field: 'language', op: 'in', values: ['fr-CA'] }]), contact({ hints: { language: 'fr' } })),
    ).toBe(false);
  });

  it("matches the reader's category and home branch", () => {
    expect(matches(rule([{ field: 'readerCategory', op: 'in', values: ['Child', 'Adult'] }]), contact())).toBe(true);
    expect(matches(rule([{ field: 'readerCategory', op: 'in', values: ['staff'] }]), contact())).toBe(false);
    expect(matches(rule([{ field: 'readerHomeBranch', op: 'in', values: [BRANCH] }]), contact())).toBe(true);
    const unknown = contact({ reader: { id: 'r2', category: null, homeBranchId: null, preferredLanguage: null } });
    expect(matches(rule([{ field: 'readerHomeBranch', op: 'in', values: [BRANCH] }]), unknown)).toBe(false);
  });

  it('matches keywords as whole words and phrases in subject or text, ignoring case and accents', () => {
    const ill = rule([
      { field: 'keywords', op: 'anyOf', values: ['interlibrary loan', 'ILL', 'prêt entre bibliothèques'] },
    ]);
    expect(matches(ill, contact({ subject: 'ILL request' }))).toBe(true);
    expect(matches(ill, contact({ text: 'Could you get this through an InterLibrary   Loan?' }))).toBe(true);
    expect(matches(ill, contact({ text: 'Un PRET entre-bibliotheques, svp' }))).toBe(true);
    // Whole words only: "illustrated" and "still" do not contain the word "ill"; a phrase split by other words is no phrase.
    expect(matches(ill, contact({ subject: 'Illustrated books', text: 'still waiting' }))).toBe(false);
    expect(matches(ill, contact({ text: 'interlibrary office loan' }))).toBe(false);
  });

  it('asks for openNow only as the facts say', () => {
    const closed = rule([{ field: 'openNow', op: 'is', value: false }]);
    expect(matches(closed, contact(), true)).toBe(false);
    expect(matches(closed, contact(), false)).toBe(true);
  });

  it('needs every condition (AND), and a rule without conditions takes everything', () => {
    const both = rule([
      { field: 'channel', op: 'in', values: ['email'] },
      { field: 'keywords', op: 'anyOf', values: ['renewal'] },
    ]);
    expect(matches(both, contact({ text: 'a renewal please' }))).toBe(true);
    expect(matches(both, contact({ channel: 'api', text: 'a renewal please' }))).toBe(false);
    expect(matches(rule([]), contact())).toBe(true);
  });

  it('takes the first enabled matching rule in order, skipping disabled ones', () => {
    const disabled = rule([], { enabled: false });
    const second = rule([{ field: 'keywords', op: 'anyOf', values: ['hello'] }]);
    const third = rule([]);
    const facts = contactFacts(contact(), null);
    expect(firstMatch([disabled, second, third].map(compileRule), facts)?.rule.id).toBe(second.id);
    expect(firstMatch([third, second].map(compileRule), facts)?.rule.id).toBe(third.id);
    expect(firstMatch([disabled].map(compileRule), facts)).toBeNull();
  });

  it('says why a rule did not match: disabled, or the first condition that failed', () => {
    const facts = contactFacts(contact(), null);
    expect(verdictOf(compileRule(rule([], { enabled: false })), facts)).toMatchObject({ reason: 'disabled' });
    const failing = rule([
      { field: 'channel', op: 'in', values: ['email'] },
      { field: 'topic', op: 'in', values: ['genealogy'] },
    ]);
    expect(verdictOf(compileRule(failing), facts)).toMatchObject({
      matched: false,
      reason: 'condition',
      failed: { index: 1, field: 'topic' },
    });
  });
});

describe('RoutingEngine', () => {
  const scope = libraryScope('0195f3c2-7a4b-7c1d-8e2f-00000000000a');
  const stored = (r: MatchableRule, position: number): RoutingRule => ({
    ...r,
    libraryId: scope.libraryId,
    position,
    createdAt: new Date(),
    updatedAt: new Date(),
  });

  function engine(rules: RoutingRule[], hours: OpeningHours) {
    const now = { value: new Date('2026-12-01T12:00:00Z') };
    const repo = { ordered: jest.fn(() => Promise.resolve(rules)) };
    const staff = { listDepartments: () => Promise.resolve([{ id: DEPT, name: 'Inter-library loan' }]) };
    const handlers: Array<(p: { libraryId: string }) => void> = [];
    const events = { subscribe: (_: unknown, h: (p: { libraryId: string }) => void) => handlers.push(h) };
    const slot = { provide: jest.fn() };
    const built = new RoutingEngine(
      { now: () => now.value },
      events as never,
      repo as never,
      staff as never,
      slot as never,
      hours,
    );
    built.onModuleInit();
    return { built, repo, handlers, now, slot };
  }

  it('asks the opening-hours port when a rule needs openNow, and routes on its answer', async () => {
    const isOpen = jest.fn(() => Promise.resolve(false));
    const afterHours = rule([{ field: 'openNow', op: 'is', value: false }], { actions: { departmentId: DEPT } });
    const { built } = engine([stored(afterHours, 0)], { isOpen });
    const decision = await built.route(scope, contact({ defaultDepartmentId: 'd0' }));
    expect(decision).toMatchObject({ ruleId: afterHours.id, departmentId: DEPT, departmentName: 'Inter-library loan' });
    expect(isOpen).toHaveBeenCalledWith(scope, { departmentId: 'd0', inboxId: INBOX }, contact().at);
    isOpen.mockResolvedValue(true);
    expect(await built.route(scope, contact())).toBeNull();
  });

  it('never asks the port when no rule needs it', async () => {
    const isOpen = jest.fn(() => Promise.resolve(true));
    const { built } = engine([stored(rule([]), 0)], { isOpen });
    await built.route(scope, contact());
    expect(isOpen).not.toHaveBeenCalled();
  });

  it('keeps the rules for a while, reads them again when told of a change or when they expire', async () => {
    const { built, repo, handlers, now, slot } = engine([stored(rule([]), 0)], { isOpen: () => Promise.resolve(true) });
    expect(slot.provide).toHaveBeenCalledWith(built);
    await built.route(scope, contact());
    await built.route(scope, contact());
    expect(repo.ordered).toHaveBeenCalledTimes(1);
    handlers.forEach((h) => h({ libraryId: scope.libraryId }));
    await built.route(scope, contact());
    expect(repo.ordered).toHaveBeenCalledTimes(2);
    now.value = new Date(now.value.getTime() + 11_000);
    await built.route(scope, contact());
    expect(repo.ordered).toHaveBeenCalledTimes(3);
  });
});
