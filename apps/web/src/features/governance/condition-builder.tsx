import {
  ActionIcon,
  Button,
  Group,
  MultiSelect,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import {
  CONDITION_FIELDS,
  type ConditionField,
  type ConditionNode,
  type ConditionOp,
  MAX_CONDITION_DEPTH,
  OPS_BY_FIELD,
  RISK_LEVELS,
} from '@toktra/core';
import type { useDirectory } from '../../directory.js';

/** The editable form of a condition tree: values stay text until the policy is saved. */
export type UiLeaf = { kind: 'leaf'; key: number; field: ConditionField; op: ConditionOp; values: string[] };
export type UiGroup = { kind: 'group'; key: number; mode: 'all' | 'any'; children: UiNode[] };
export type UiNode = UiLeaf | UiGroup;

type DirectoryView = ReturnType<typeof useDirectory>;

export const FIELD_LABEL: Record<ConditionField, string> = {
  risk_level: 'Risk level',
  user_id: 'User',
  department_id: 'Department',
  tokens: 'Tokens',
  hour_of_day: 'Hour of day (org time)',
  model: 'Model',
  provider: 'Provider',
  zscore: 'Deviation (z-score)',
};

export const OP_LABEL: Record<ConditionOp, string> = {
  eq: '=',
  neq: '≠',
  in: 'is one of',
  not_in: 'is none of',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  between: 'between',
  within: 'within (incl. sub-departments)',
};

const NUMERIC: ReadonlySet<ConditionField> = new Set(['tokens', 'hour_of_day', 'zscore']);
const isList = (op: ConditionOp) => op === 'in' || op === 'not_in';

let nextKey = 1;
const key = () => nextKey++;

export function emptyGroup(mode: 'all' | 'any' = 'all'): UiGroup {
  return { kind: 'group', key: key(), mode, children: [] };
}

function newLeaf(): UiLeaf {
  return { kind: 'leaf', key: key(), field: 'department_id', op: 'eq', values: [''] };
}

/** A stored tree as an editable one (the root is always a group). */
export function toUi(node: ConditionNode | null): UiGroup {
  if (!node) return emptyGroup();
  const convert = (n: ConditionNode): UiNode => {
    if ('all' in n) return { kind: 'group', key: key(), mode: 'all', children: n.all.map(convert) };
    if ('any' in n) return { kind: 'group', key: key(), mode: 'any', children: n.any.map(convert) };
    const values = Array.isArray(n.value) ? n.value.map(String) : [String(n.value)];
    return { kind: 'leaf', key: key(), field: n.field, op: n.op, values };
  };
  const root = convert(node);
  return root.kind === 'group' ? root : { kind: 'group', key: key(), mode: 'all', children: [root] };
}

/** The tree the API stores; null when there are no conditions. Bad numbers stay NaN for checkConditions. */
export function fromUi(root: UiGroup): ConditionNode | null {
  const convert = (n: UiNode): ConditionNode => {
    if (n.kind === 'group') {
      const children = n.children.map(convert);
      return n.mode === 'all' ? { all: children } : { any: children };
    }
    const parse = (v: string) => (NUMERIC.has(n.field) ? (v.trim() === '' ? Number.NaN : Number(v)) : v);
    const value = isList(n.op) || n.op === 'between' ? n.values.map(parse) : parse(n.values[0] ?? '');
    return { field: n.field, op: n.op, value };
  };
  return root.children.length === 0 ? null : convert(root);
}

/** "Risk level = high AND Department within Engineering", names instead of ids. */
export function describeConditions(node: ConditionNode | null, dir: DirectoryView, nested = false): string {
  if (!node) return 'always';
  if ('all' in node || 'any' in node) {
    const children = 'all' in node ? node.all : node.any;
    const text = children.map((c) => describeConditions(c, dir, true)).join('all' in node ? ' AND ' : ' OR ');
    return nested && children.length > 1 ? `(${text})` : text;
  }
  const name = (v: string | number) =>
    node.field === 'user_id'
      ? (dir.userName.get(String(v)) ?? v)
      : node.field === 'department_id'
        ? (dir.departmentName.get(String(v)) ?? v)
        : v;
  const value = Array.isArray(node.value)
    ? node.op === 'between'
      ? node.value.map(name).join('–')
      : node.value.map(name).join(', ')
    : name(node.value);
  return `${FIELD_LABEL[node.field]} ${OP_LABEL[node.op]} ${value}`;
}

function ValueInput({
  leaf,
  dir,
  onChange,
}: {
  leaf: UiLeaf;
  dir: DirectoryView;
  onChange: (v: string[]) => void;
}) {
  const label = `${FIELD_LABEL[leaf.field]} value`;
  const options =
    leaf.field === 'department_id'
      ? dir.departmentOptions
      : leaf.field === 'user_id'
        ? dir.userOptions
        : leaf.field === 'risk_level'
          ? RISK_LEVELS.map((r) => ({ value: r, label: r }))
          : leaf.field === 'model'
            ? dir.models.map((m) => ({ value: m, label: m }))
            : null;
  if (leaf.op === 'between') {
    return (
      <Group gap={4} wrap="nowrap">
        <TextInput
          aria-label={`${FIELD_LABEL[leaf.field]} from`}
          w={90}
          value={leaf.values[0] ?? ''}
          onChange={(e) => onChange([e.currentTarget.value, leaf.values[1] ?? ''])}
        />
        <Text size="sm">and</Text>
        <TextInput
          aria-label={`${FIELD_LABEL[leaf.field]} to`}
          w={90}
          value={leaf.values[1] ?? ''}
          onChange={(e) => onChange([leaf.values[0] ?? '', e.currentTarget.value])}
        />
      </Group>
    );
  }
  if (isList(leaf.op)) {
    const values = leaf.values.filter((v) => v !== '');
    return options && leaf.field !== 'model' ? (
      <MultiSelect aria-label={label} w={260} data={options} value={values} onChange={onChange} searchable />
    ) : (
      <TagsInput aria-label={label} w={260} value={values} onChange={onChange} placeholder="Enter to add" />
    );
  }
  if (options && leaf.field !== 'model') {
    return (
      <Select
        aria-label={label}
        w={260}
        data={options}
        value={leaf.values[0] || null}
        onChange={(v) => onChange([v ?? ''])}
        searchable
      />
    );
  }
  return (
    <TextInput
      aria-label={label}
      w={260}
      value={leaf.values[0] ?? ''}
      onChange={(e) => onChange([e.currentTarget.value])}
    />
  );
}

/** A recursive AND/OR group editor over the documented condition fields. */
export function ConditionGroup({
  group,
  dir,
  depth = 0,
  onChange,
  onRemove,
}: {
  group: UiGroup;
  dir: DirectoryView;
  depth?: number;
  onChange: (g: UiGroup) => void;
  onRemove?: () => void;
}) {
  const setChild = (i: number, child: UiNode) =>
    onChange({ ...group, children: group.children.map((c, j) => (j === i ? child : c)) });
  const removeChild = (i: number) =>
    onChange({ ...group, children: group.children.filter((_, j) => j !== i) });
  return (
    <Paper withBorder p="xs" data-testid="condition-group">
      <Stack gap="xs">
        <Group justify="space-between">
          <Group gap="xs">
            <SegmentedControl
              size="xs"
              aria-label="Combine with"
              data={[
                { value: 'all', label: 'AND (all)' },
                { value: 'any', label: 'OR (any)' },
              ]}
              value={group.mode}
              onChange={(v) => onChange({ ...group, mode: v as 'all' | 'any' })}
            />
            {group.children.length === 0 && (
              <Text size="sm" c="dimmed">
                No conditions: every {depth === 0 ? 'trigger event' : 'event'} matches.
              </Text>
            )}
          </Group>
          {onRemove && (
            <Button size="compact-xs" variant="subtle" color="red" onClick={onRemove}>
              Remove group
            </Button>
          )}
        </Group>
        {group.children.map((child, i) =>
          child.kind === 'group' ? (
            <ConditionGroup
              key={child.key}
              group={child}
              dir={dir}
              depth={depth + 1}
              onChange={(g) => setChild(i, g)}
              onRemove={() => removeChild(i)}
            />
          ) : (
            <Group key={child.key} gap="xs" wrap="nowrap" data-testid="condition-leaf">
              <Select
                aria-label="Condition field"
                w={200}
                data={CONDITION_FIELDS.map((f) => ({ value: f, label: FIELD_LABEL[f] }))}
                value={child.field}
                allowDeselect={false}
                onChange={(v) => {
                  const field = (v ?? child.field) as ConditionField;
                  const op = OPS_BY_FIELD[field].includes(child.op)
                    ? child.op
                    : (OPS_BY_FIELD[field][0] as ConditionOp);
                  setChild(i, { ...child, field, op, values: [''] });
                }}
              />
              <Select
                aria-label="Condition operator"
                w={150}
                data={OPS_BY_FIELD[child.field].map((o) => ({ value: o, label: OP_LABEL[o] }))}
                value={child.op}
                allowDeselect={false}
                onChange={(v) => setChild(i, { ...child, op: (v ?? child.op) as ConditionOp, values: [''] })}
              />
              <ValueInput leaf={child} dir={dir} onChange={(values) => setChild(i, { ...child, values })} />
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={`Remove condition ${i + 1}`}
                onClick={() => removeChild(i)}
              >
                ✕
              </ActionIcon>
            </Group>
          ),
        )}
        <Group gap="xs">
          <Button
            size="compact-xs"
            variant="default"
            onClick={() => onChange({ ...group, children: [...group.children, newLeaf()] })}
          >
            Add condition
          </Button>
          {depth + 1 < MAX_CONDITION_DEPTH && (
            <Button
              size="compact-xs"
              variant="default"
              onClick={() =>
                onChange({
                  ...group,
                  children: [
                    ...group.children,
                    { ...emptyGroup(group.mode === 'all' ? 'any' : 'all'), children: [newLeaf()] },
                  ],
                })
              }
            >
              Add group
            </Button>
          )}
        </Group>
      </Stack>
    </Paper>
  );
}
