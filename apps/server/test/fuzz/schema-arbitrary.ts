import fc from 'fast-check';

/** The subset of JSON Schema our OpenAPI document uses (what fastify-type-provider-zod emits). */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
}

/** Ids the seeded org really has, so valid cases reach handlers past the 404 of an unknown id. */
export type KnownIds = readonly string[];

const MAX_ITEMS = 3;

/** An arbitrary of values valid against `schema` (formats and patterns included). */
export function validValue(schema: JsonSchema, ids: KnownIds, depth = 0): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const options = schema.anyOf ?? schema.oneOf;
  if (options) return fc.oneof(...options.map((s) => validValue(s, ids, depth + 1)));
  if (schema.allOf) return validValue(Object.assign({}, ...schema.allOf), ids, depth);
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length > 1) return fc.oneof(...types.map((type) => validValue({ ...schema, type }, ids, depth)));
  switch (types[0]) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number':
      return numberFor(schema, types[0] === 'integer');
    case 'string':
      return stringFor(schema, ids);
    case 'array': {
      const min = schema.minItems ?? 0;
      const max = Math.max(min, Math.min(schema.maxItems ?? MAX_ITEMS, MAX_ITEMS));
      return fc.array(validValue(schema.items ?? {}, ids, depth + 1), { minLength: min, maxLength: max });
    }
    case 'object':
      return objectFor(schema, ids, depth);
    default:
      return fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant({}));
  }
}

function numberFor(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const lo = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1e6);
  const hi = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 1e6);
  const min = Math.max(lo, -1e9);
  const max = Math.min(hi, 1e9);
  if (integer || schema.multipleOf) {
    const step = schema.multipleOf ?? 1;
    return fc.integer({ min: Math.ceil(min / step), max: Math.floor(max / step) }).map((n) => n * step);
  }
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n));
}

function stringFor(schema: JsonSchema, ids: KnownIds): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 40, Math.max(min, 40));
  switch (schema.format) {
    case 'uuid':
      return ids.length ? fc.oneof(fc.constantFrom(...ids), fc.uuid()) : fc.uuid();
    case 'email':
      return fc.constantFrom('owner@fuzz.test', 'someone@example.com');
    case 'uri':
      return fc.constantFrom('https://example.com/hook', 'https://127.0.0.1:9/x');
    case 'date-time':
      return fc
        .date({ min: new Date('2025-01-01'), max: new Date('2027-12-31'), noInvalidDate: true })
        .map((d) => d.toISOString());
  }
  if (schema.pattern === '^\\d{4}-\\d{2}-\\d{2}$' || schema.format === 'date')
    return fc
      .date({ min: new Date('2025-01-01'), max: new Date('2027-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
  if (schema.pattern) {
    try {
      return fc
        .stringMatching(new RegExp(schema.pattern))
        .filter((s) => s.length >= min && s.length <= (schema.maxLength ?? Number.POSITIVE_INFINITY));
    } catch {
      // fast-check cannot generate from lookaheads; a fixed example of the only such pattern (paths).
      return fc.constant('/x');
    }
  }
  // Ids in paths are plain strings in the document; prefer real ones half the time.
  const text = fc.string({ minLength: min, maxLength: max, unit: 'grapheme' });
  return ids.length && min <= 36 && (schema.maxLength ?? 100) >= 36
    ? fc.oneof(text, fc.constantFrom(...ids))
    : text;
}

function objectFor(schema: JsonSchema, ids: KnownIds, depth: number): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  if (depth > 6) return fc.constant({});
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, value] of Object.entries(properties)) record[key] = validValue(value, ids, depth + 1);
  const required = (schema.required ?? []).filter((key) => key in properties);
  return fc.record(record, { requiredKeys: required });
}

/** One way to make a valid value invalid or hostile; each returns the mutated copy. */
export const MUTATIONS: Record<string, (value: unknown, rand: () => number) => unknown> = {
  nul: (v, r) => mapStrings(v, r, (s) => `${s}\u0000x`),
  loneSurrogate: (v, r) => mapStrings(v, r, (s) => `${s}\ud800`),
  hugeNumber: (v, r) => mapNumbers(v, r, () => 2 ** 53),
  int32Overflow: (v, r) => mapNumbers(v, r, () => 2 ** 31),
  negative: (v, r) => mapNumbers(v, r, () => -1),
  badDate: (v, r) => mapStrings(v, r, (s) => (/^\d{4}-\d{2}-\d{2}/.test(s) ? `2026-13-01${s.slice(10)}` : s)),
  feb30: (v, r) => mapStrings(v, r, (s) => (/^\d{4}-\d{2}-\d{2}/.test(s) ? `2026-02-30${s.slice(10)}` : s)),
  wrongType: (v) => (typeof v === 'object' && v !== null ? ['not', 'an', 'object'] : { wrong: true }),
  dropKey: (v, r) => {
    if (!isPlainObject(v)) return v;
    const keys = Object.keys(v);
    const copy = { ...v };
    if (keys.length) delete copy[keys[Math.floor(r() * keys.length)] as string];
    return copy;
  },
  extraKey: (v) => (isPlainObject(v) ? { ...v, unexpected_key: 'x' } : v),
  deepNesting: (v) => {
    let node: unknown = { field: 'provider', op: 'eq', value: 'x' };
    for (let i = 0; i < 800; i += 1) node = { all: [node] };
    return isPlainObject(v) ? { ...v, conditions: node } : node;
  },
  longString: (v, r) => mapStrings(v, r, (s) => s + 'a'.repeat(20_000)),
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Applies `f` to every string in `v` (each with probability ½, at least the first). */
function mapStrings(v: unknown, rand: () => number, f: (s: string) => string): unknown {
  let first = true;
  const walk = (x: unknown): unknown => {
    if (typeof x === 'string') {
      const hit = first || rand() < 0.5;
      first = false;
      return hit ? f(x) : x;
    }
    if (Array.isArray(x)) return x.map(walk);
    if (isPlainObject(x)) return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, walk(y)]));
    return x;
  };
  return walk(v);
}

function mapNumbers(v: unknown, rand: () => number, f: (n: number) => number): unknown {
  let first = true;
  const walk = (x: unknown): unknown => {
    if (typeof x === 'number') {
      const hit = first || rand() < 0.5;
      first = false;
      return hit ? f(x) : x;
    }
    if (Array.isArray(x)) return x.map(walk);
    if (isPlainObject(x)) return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, walk(y)]));
    return x;
  };
  return walk(v);
}
