import type { Priority, RequiredSkills, RoutingContact } from '@readerdesk/conversations';

/**
 * A rule's conditions: an AND-list, each one field with an operator. Lists (`in`, `notIn`) compare
 * ids exactly and words case- and accent-insensitively; `keywords` `anyOf` looks for whole words or
 * phrases in the subject and text; `openNow` `is` asks the opening-hours port.
 */
export const CONDITION_OPERATORS = {
  inbox: ['in', 'notIn'],
  channel: ['in', 'notIn'],
  chosenDepartment: ['in', 'notIn'],
  topic: ['in', 'notIn'],
  questionType: ['in', 'notIn'],
  language: ['in', 'notIn'],
  readerCategory: ['in', 'notIn'],
  readerHomeBranch: ['in', 'notIn'],
  keywords: ['anyOf'],
  openNow: ['is'],
} as const satisfies Record<string, readonly string[]>;

export type ConditionField = keyof typeof CONDITION_OPERATORS;
export const CONDITION_FIELDS = Object.keys(CONDITION_OPERATORS) as ConditionField[];

export interface RuleCondition {
  field: ConditionField;
  op: string;
  /** For every field but `openNow`. */
  values?: string[];
  /** For `openNow`. */
  value?: boolean;
}

export interface RuleActions {
  departmentId?: string;
  priority?: Priority;
  /** Added to the conversation's tags (normalised as the desk keeps them). */
  tags?: string[];
  slaPolicyId?: string;
  requiredSkills?: RequiredSkills;
}

/** What the matcher needs of a stored rule. */
export interface MatchableRule {
  id: string;
  name: string;
  enabled: boolean;
  conditions: RuleCondition[];
  actions: RuleActions;
}

/** Lower case, accents off, words joined by single spaces: "Prêt  entre-Bibliothèques" → "pret entre bibliotheques". */
export function foldWords(text: string): string {
  return (
    text
      .normalize('NFD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  ).join(' ');
}

/** One folded value for list comparisons (ids untouched but trimmed and lower case). */
const foldValue = (value: string): string => foldWords(value) || value.trim().toLowerCase();

/** BCP 47, compared by primary subtag too: a rule's `fr` takes `fr-CA`, a rule's `fr-CA` only `fr-CA`. */
function languageMatches(wanted: Set<string>, language: string | null): boolean {
  if (!language) return false;
  const tag = language.trim().toLowerCase().replace(/_/g, '-');
  return wanted.has(tag) || wanted.has(tag.split('-')[0]);
}

export interface CompiledCondition {
  field: ConditionField;
  op: string;
  test: (facts: ContactFacts) => boolean;
}

export interface CompiledRule {
  rule: MatchableRule;
  conditions: CompiledCondition[];
  usesOpenNow: boolean;
}

/** The contact with its words folded once, and the opening-hours answer when a rule asks for it. */
export interface ContactFacts {
  contact: RoutingContact;
  /** " subject text " folded, with spaces at both ends so that phrases match on word boundaries. */
  words: string;
  openNow: boolean | null;
}

function listTest(op: string, values: string[], read: (c: RoutingContact) => string | null): CompiledCondition['test'] {
  const wanted = new Set(values.map(foldValue));
  const has = (c: RoutingContact) => {
    const value = read(c);
    return value !== null && value !== '' && wanted.has(foldValue(value));
  };
  return op === 'notIn' ? (f) => !has(f.contact) : (f) => has(f.contact);
}

function compileCondition(condition: RuleCondition): CompiledCondition {
  const { field, op } = condition;
  const values = condition.values ?? [];
  let test: CompiledCondition['test'];
  switch (field) {
    case 'inbox':
      test = listTest(op, values, (c) => c.inboxId);
      break;
    case 'channel':
      test = listTest(op, values, (c) => c.channel);
      break;
    case 'chosenDepartment':
      test = listTest(op, values, (c) => c.hints.chosenDepartmentId ?? null);
      break;
    case 'topic':
      test = listTest(op, values, (c) => c.hints.topic ?? null);
      break;
    case 'questionType':
      test = listTest(op, values, (c) => c.hints.questionType ?? null);
      break;
    case 'readerCategory':
      test = listTest(op, values, (c) => c.reader.category);
      break;
    case 'readerHomeBranch':
      test = listTest(op, values, (c) => c.reader.homeBranchId);
      break;
    case 'language': {
      const wanted = new Set(values.map((v) => v.trim().toLowerCase().replace(/_/g, '-')));
      const has = (c: RoutingContact) => languageMatches(wanted, c.hints.language ?? c.reader.preferredLanguage);
      test = op === 'notIn' ? (f) => !has(f.contact) : (f) => has(f.contact);
      break;
    }
    case 'keywords': {
      const phrases = values.map(foldWords).filter(Boolean);
      test = (f) => phrases.some((phrase) => f.words.includes(` ${phrase} `));
      break;
    }
    case 'openNow': {
      const wanted = condition.value === true;
      test = (f) => f.openNow === wanted;
      break;
    }
  }
  return { field, op, test };
}

export function compileRule(rule: MatchableRule): CompiledRule {
  return {
    rule,
    conditions: rule.conditions.map(compileCondition),
    usesOpenNow: rule.conditions.some((c) => c.field === 'openNow'),
  };
}

/** The words are folded on first use: a library without keyword rules never pays for a long email's text. */
export function contactFacts(contact: RoutingContact, openNow: boolean | null): ContactFacts {
  let words: string | undefined;
  return {
    contact,
    openNow,
    get words() {
      return (words ??= ` ${foldWords(`${contact.subject ?? ''} ${contact.text ?? ''}`)} `);
    },
  };
}

/** Why a rule did not match (the dry run's answer per rule). */
export type RuleVerdict =
  | { ruleId: string; name: string; matched: true }
  | { ruleId: string; name: string; matched: false; reason: 'disabled' }
  | { ruleId: string; name: string; matched: false; reason: 'condition'; failed: { index: number; field: string } };

export function verdictOf(compiled: CompiledRule, facts: ContactFacts): RuleVerdict {
  const { id: ruleId, name } = compiled.rule;
  if (!compiled.rule.enabled) return { ruleId, name, matched: false, reason: 'disabled' };
  const index = compiled.conditions.findIndex((c) => !c.test(facts));
  if (index >= 0) {
    return {
      ruleId,
      name,
      matched: false,
      reason: 'condition',
      failed: { index, field: compiled.conditions[index].field },
    };
  }
  return { ruleId, name, matched: true };
}

/** The first enabled rule, in order, whose every condition holds; null when none does. */
export function firstMatch(rules: readonly CompiledRule[], facts: ContactFacts): CompiledRule | null {
  for (const compiled of rules) {
    if (compiled.rule.enabled && compiled.conditions.every((c) => c.test(facts))) return compiled;
  }
  return null;
}
