import {
  Alert,
  Button,
  Group,
  Modal,
  NumberInput,
  SegmentedControl,
  Stack,
  TagsInput,
  Text,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api.js';
import type { Budget } from './types.js';

/** The API's limits (apps/server/src/http/v1/budgets/create-budget.ts). */
const MAX_TOKENS = 1e15;
const MAX_COST = 1e12;

interface Form {
  unit: 'tokens' | 'cost';
  limit: number | string;
  cap: 'soft' | 'hard';
  thresholds: string[];
  rollover: number | string;
}

function validate(f: Form): { body: Record<string, unknown>; problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const limit = Number(f.limit);
  if (f.unit === 'tokens' && (!Number.isInteger(limit) || limit <= 0 || limit > MAX_TOKENS))
    problems.limit = 'A whole number of tokens above 0 (at most 10^15)';
  if (f.unit === 'cost' && (f.limit === '' || !(limit > 0) || limit > MAX_COST))
    problems.limit = 'An amount above 0 (at most 10^12)';
  const thresholds = f.thresholds.map(Number);
  if (thresholds.some((t) => !Number.isInteger(t) || t < 1 || t > 100) || thresholds.length > 10)
    problems.thresholds = 'Up to 10 whole percentages, each 1–100';
  const rollover = f.rollover === '' ? null : Number(f.rollover);
  if (rollover !== null && (!Number.isInteger(rollover) || rollover < 0 || rollover > 100))
    problems.rollover = 'A whole percentage 0–100, or empty for no rollover';
  return {
    body: {
      ...(f.unit === 'tokens' ? { limit_tokens: limit } : { limit_cost: limit }),
      cap: f.cap,
      thresholds: [...new Set(thresholds)].sort((a, b) => a - b),
      rollover_cap_pct: rollover,
    },
    problems,
  };
}

/** Create, change or delete the monthly budget of a department (or of the whole org). */
export function BudgetEditor({
  scope,
  budget,
  onClose,
}: {
  scope: { department_id: string | null; name: string };
  budget: (Budget & { thresholds?: number[] }) | null;
  onClose: () => void;
}) {
  const client = useQueryClient();
  const [form, setForm] = useState<Form>({
    unit: budget?.unit ?? 'tokens',
    limit: budget ? ((budget.unit === 'cost' ? budget.limit_cost : budget.limit_tokens) ?? '') : '',
    cap: budget?.cap ?? 'soft',
    thresholds: (budget?.thresholds ?? [80, 95]).map(String),
    rollover: budget?.rollover_cap_pct ?? '',
  });
  const [shown, setShown] = useState(false);
  const { body, problems } = validate(form);
  const done = async () => {
    await client.invalidateQueries({ queryKey: ['budgets'] });
    onClose();
  };
  const save = useMutation({
    mutationFn: () =>
      budget
        ? api(`/v1/budgets/${budget.id}`, {
            method: 'PATCH',
            // A unit change sends the other limit; the API keeps exactly one.
            body,
          })
        : api('/v1/budgets', {
            method: 'POST',
            body: { ...body, ...(scope.department_id ? { department_id: scope.department_id } : {}) },
          }),
    onSuccess: done,
  });
  const remove = useMutation({
    mutationFn: () => api(`/v1/budgets/${budget?.id}`, { method: 'DELETE' }),
    onSuccess: done,
  });
  const set = (patch: Partial<Form>) => setForm((f) => ({ ...f, ...patch }));
  const err = (k: string) => (shown ? problems[k] : undefined);
  return (
    <Modal opened onClose={onClose} title={`Budget · ${scope.name}`}>
      <Stack>
        <div>
          <Text size="sm" fw={500} mb={4}>
            Measured in
          </Text>
          <SegmentedControl
            aria-label="Budget unit"
            data={[
              { value: 'tokens', label: 'Tokens' },
              { value: 'cost', label: 'Money' },
            ]}
            value={form.unit}
            onChange={(v) => set({ unit: v as Form['unit'] })}
          />
        </div>
        <NumberInput
          label={form.unit === 'tokens' ? 'Monthly limit (tokens)' : 'Monthly limit (money, price table)'}
          thousandSeparator=","
          decimalScale={form.unit === 'cost' ? 2 : 0}
          value={form.limit}
          onChange={(v) => set({ limit: v })}
          error={err('limit')}
        />
        <div>
          <Text size="sm" fw={500} mb={4}>
            At the limit
          </Text>
          <SegmentedControl
            aria-label="Cap"
            data={[
              { value: 'soft', label: 'Soft cap: alert, continue' },
              { value: 'hard', label: 'Hard cap: block' },
            ]}
            value={form.cap}
            onChange={(v) => set({ cap: v as Form['cap'] })}
          />
        </div>
        <TagsInput
          label="Alert thresholds (% of the limit)"
          description="Each fires once per month; 100 % always alerts"
          value={form.thresholds}
          onChange={(v) => set({ thresholds: v })}
          error={err('thresholds')}
        />
        <NumberInput
          label="Rollover cap (%)"
          description="Up to this % of the unused budget carries into next month; empty = none"
          value={form.rollover}
          onChange={(v) => set({ rollover: v })}
          error={err('rollover')}
        />
        {(save.error ?? remove.error) && (
          <Alert color="red" title="The server refused the change">
            {(save.error ?? remove.error)?.message}
          </Alert>
        )}
        <Group justify="space-between">
          {budget ? (
            <Button variant="subtle" color="red" loading={remove.isPending} onClick={() => remove.mutate()}>
              Delete budget
            </Button>
          ) : (
            <span />
          )}
          <Group>
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button
              loading={save.isPending}
              onClick={() => {
                setShown(true);
                if (Object.keys(problems).length === 0) save.mutate();
              }}
            >
              Save budget
            </Button>
          </Group>
        </Group>
      </Stack>
    </Modal>
  );
}
