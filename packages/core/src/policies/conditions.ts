/**
 * Policy condition trees: leaves compare one field of a subject with a value; groups combine
 * children with AND (`all`) or OR (`any`) to any depth. Pure data, so a policy can be stored,
 * versioned, tested against history and evaluated the same way everywhere.
 */

export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export const CONDITION_FIELDS = [
  'risk_level',
  'user_id',
  'department_id',
  'tokens',
  'hour_of_day',
  'model',
  'provider',
  'zscore',
] as const;
export type ConditionField = (typeof CONDITION_FIELDS)[number];

export const CONDITION_OPS = [
  'eq',
  'neq',
  'in',
  'not_in',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'within',
] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

export type ConditionValue = string | number | Array<string | number>;

export interface ConditionLeaf {
  field: ConditionField;
  op: ConditionOp;
  value: ConditionValue;
}

export type ConditionNode = ConditionLeaf | { all: ConditionNode[] } | { any: ConditionNode[] };

/**
 * What a condition tree is evaluated against. `department_path` lists the subject's department
 * and all its ancestors (so `within` matches a whole subtree); `hour_of_day` is 0–23 in the org's
 * time zone. A field the subject lacks makes every leaf on it false, whatever the operator.
 */
export interface PolicySubject {
  risk_level?: RiskLevel;
  user_id?: string;
  department_id?: string;
  department_path?: readonly string[];
  tokens?: number;
  hour_of_day?: number;
  model?: string;
  provider?: string;
  zscore?: number;
}

/** Which operators each field accepts (checked when a policy is saved). */
export const OPS_BY_FIELD: Record<ConditionField, readonly ConditionOp[]> = {
  risk_level: ['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte'],
  user_id: ['eq', 'neq', 'in', 'not_in'],
  department_id: ['eq', 'neq', 'in', 'not_in', 'within'],
  tokens: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between'],
  hour_of_day: ['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'between'],
  model: ['eq', 'neq', 'in', 'not_in'],
  provider: ['eq', 'neq', 'in', 'not_in'],
  zscore: ['gt', 'gte', 'lt', 'lte', 'between'],
};

export const MAX_CONDITION_DEPTH = 8;

export function isGroup(node: ConditionNode): node is { all: ConditionNode[] } | { any: ConditionNode[] } {
  return 'all' in node || 'any' in node;
}

/** Risk levels compare by rank (low < medium < high < critical); other fields as given. */
function comparable(field: ConditionField, value: unknown): string | number | undefined {
  if (field === 'risk_level') {
    const rank = RISK_LEVELS.indexOf(value as RiskLevel);
    return rank >= 0 ? rank : undefined;
  }
  if (typeof value === 'string' || typeof value === 'number') return value;
  return undefined;
}

function compare(op: ConditionOp, left: string | number, right: string | number): boolean {
  switch (op) {
    case 'eq':
      return left === right;
    case 'neq':
      return left !== right;
    case 'gt':
      return left > right;
    case 'gte':
      return left >= right;
    case 'lt':
      return left < right;
    case 'lte':
      return left <= right;
    default:
      return false;
  }
}

/**
 * `between [a, b]` is inclusive for tokens and z-scores; for hour_of_day it is the half-open
 * window [a, b) that wraps past midnight when a > b (22–6 = night).
 */
function between(field: ConditionField, actual: number, value: ConditionValue): boolean {
  if (!Array.isArray(value) || value.length !== 2) return false;
  const [a, b] = value as [number, number];
  if (field === 'hour_of_day') return a <= b ? actual >= a && actual < b : actual >= a || actual < b;
  return actual >= a && actual <= b;
}

export function evaluateLeaf(leaf: ConditionLeaf, subject: PolicySubject): boolean {
  const raw = subject[leaf.field];
  if (raw === undefined || raw === null) return false;
  const actual = comparable(leaf.field, raw);
  if (actual === undefined) return false;
  const list = Array.isArray(leaf.value) ? leaf.value.map((v) => comparable(leaf.field, v)) : [];
  switch (leaf.op) {
    case 'in':
      return list.includes(actual);
    case 'not_in':
      return !list.includes(actual);
    case 'between':
      return typeof actual === 'number' && between(leaf.field, actual, leaf.value);
    case 'within': {
      const path = subject.department_path ?? (subject.department_id ? [subject.department_id] : []);
      const roots = Array.isArray(leaf.value) ? leaf.value : [leaf.value];
      return roots.some((root) => path.includes(String(root)));
    }
    default: {
      const expected = comparable(leaf.field, leaf.value);
      return expected !== undefined && compare(leaf.op, actual, expected);
    }
  }
}

/** AND of an empty group is true, OR of an empty group is false (the usual identities). */
export function evaluateConditions(node: ConditionNode | null | undefined, subject: PolicySubject): boolean {
  if (!node) return true;
  if ('all' in node) return node.all.every((child) => evaluateConditions(child, subject));
  if ('any' in node) return node.any.some((child) => evaluateConditions(child, subject));
  return evaluateLeaf(node, subject);
}

/** Problems with a tree's shape (unknown field/op pairs, bad values, too deep), empty when valid. */
export function checkConditions(node: ConditionNode, path = 'conditions', depth = 0): string[] {
  if (depth > MAX_CONDITION_DEPTH) return [`${path}: groups nest at most ${MAX_CONDITION_DEPTH} deep`];
  if ('all' in node) return node.all.flatMap((c, i) => checkConditions(c, `${path}.all[${i}]`, depth + 1));
  if ('any' in node) return node.any.flatMap((c, i) => checkConditions(c, `${path}.any[${i}]`, depth + 1));
  const problems: string[] = [];
  if (!OPS_BY_FIELD[node.field]?.includes(node.op)) {
    problems.push(`${path}: ${node.field} does not support "${node.op}"`);
    return problems;
  }
  const listOp = node.op === 'in' || node.op === 'not_in';
  if (listOp && !Array.isArray(node.value)) problems.push(`${path}: "${node.op}" needs an array value`);
  if (
    node.op === 'between' &&
    (!Array.isArray(node.value) || node.value.length !== 2 || node.value.some((v) => typeof v !== 'number'))
  ) {
    problems.push(`${path}: "between" needs [from, to] numbers`);
  }
  if (!listOp && node.op !== 'between' && node.op !== 'within' && Array.isArray(node.value)) {
    problems.push(`${path}: "${node.op}" needs a single value`);
  }
  const numeric = node.field === 'tokens' || node.field === 'hour_of_day' || node.field === 'zscore';
  const values = Array.isArray(node.value) ? node.value : [node.value];
  if (numeric && values.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
    problems.push(`${path}: ${node.field} compares with numbers`);
  }
  if (node.field === 'hour_of_day' && values.some((v) => typeof v === 'number' && (v < 0 || v > 24))) {
    problems.push(`${path}: hour_of_day is 0–24`);
  }
  if (node.field === 'risk_level' && values.some((v) => !RISK_LEVELS.includes(v as RiskLevel))) {
    problems.push(`${path}: risk_level is one of ${RISK_LEVELS.join(', ')}`);
  }
  return problems;
}
