import {
  Alert,
  Button,
  Checkbox,
  Group,
  Modal,
  NumberInput,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { checkConditions } from '@toktra/core';
import { useState } from 'react';
import { api } from '../../api.js';
import { useDirectory } from '../../directory.js';
import { ConditionGroup, fromUi, toUi, type UiGroup } from './condition-builder.js';
import type { EndpointRow, PolicyActionRow, PolicyRow, Severity } from './types.js';

export const TRIGGERS = [
  { value: 'budget_exceeded', label: 'Token budget exceeded' },
  { value: 'ip_risk', label: 'IP risk event' },
  { value: 'unusual_usage', label: 'Unusual usage pattern' },
  { value: 'department_threshold', label: 'Department threshold' },
  { value: 'shadow_ai_gap', label: 'Shadow AI gap' },
] as const;
type TriggerType = (typeof TRIGGERS)[number]['value'];

const SEVERITIES: Severity[] = ['low', 'medium', 'high', 'critical'];

interface Form {
  name: string;
  description: string;
  severity: Severity;
  trigger: TriggerType;
  params: Record<string, number | string>;
  conditions: UiGroup;
  emailUser: boolean;
  emailManager: boolean;
  block: boolean;
  blockHours: number | string;
  incident: boolean;
  incidentAssignee: string | null;
  webhook: boolean;
  webhookEndpoint: string | null;
}

const DEFAULT_PARAMS: Record<TriggerType, Record<string, number | string>> = {
  budget_exceeded: { min_threshold_pct: 100 },
  ip_risk: {},
  unusual_usage: { min_zscore: 3.5, granularity: 'day', min_tokens: 0 },
  department_threshold: { limit_tokens: 5_000_000, period: 'month' },
  shadow_ai_gap: { min_gap_tokens: 0 },
};

function toForm(p: PolicyRow | null): Form {
  const action = <T extends PolicyActionRow['type']>(type: T) =>
    p?.actions.find((a) => a.type === type) as Extract<PolicyActionRow, { type: T }> | undefined;
  const trigger = (p?.trigger.type ?? 'department_threshold') as TriggerType;
  return {
    name: p?.name ?? '',
    description: p?.description ?? '',
    severity: p?.severity ?? 'medium',
    trigger,
    params: { ...DEFAULT_PARAMS[trigger], ...((p?.trigger.params ?? {}) as Record<string, number | string>) },
    conditions: toUi(p?.conditions ?? null),
    emailUser: !!action('email_user'),
    emailManager: !!action('email_manager'),
    block: !!action('block_user'),
    blockHours: action('block_user')?.duration_hours ?? '',
    incident: p ? !!action('create_incident') : true,
    incidentAssignee: action('create_incident')?.assignee_id ?? null,
    webhook: !!action('webhook'),
    webhookEndpoint: action('webhook')?.endpoint_id ?? null,
  };
}

/** The request body, or the problems that keep it from the API (the API's own limits). */
function toBody(f: Form): { body: Record<string, unknown>; problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const name = f.name.trim();
  if (name.length < 1 || name.length > 200) problems.name = 'Name: 1–200 characters';
  if (f.description.length > 2000) problems.description = 'Description: at most 2,000 characters';
  const params: Record<string, number | string> = {};
  const num = (k: string, min: number, max: number, int = false) => {
    const v = Number(f.params[k]);
    if (f.params[k] === '' || !Number.isFinite(v) || v < min || v > max || (int && !Number.isInteger(v)))
      problems[k] = `${min}–${max}${int ? ', whole number' : ''}`;
    params[k] = v;
  };
  if (f.trigger === 'budget_exceeded') num('min_threshold_pct', 0, 1000);
  if (f.trigger === 'unusual_usage') {
    num('min_zscore', 0, 1000);
    num('min_tokens', 0, Number.MAX_SAFE_INTEGER, true);
    params.granularity = f.params.granularity ?? 'day';
  }
  if (f.trigger === 'department_threshold') {
    num('limit_tokens', 1, Number.MAX_SAFE_INTEGER, true);
    params.period = f.params.period ?? 'month';
  }
  if (f.trigger === 'shadow_ai_gap') num('min_gap_tokens', 0, Number.MAX_SAFE_INTEGER);
  const conditions = fromUi(f.conditions);
  const conditionProblems = conditions ? checkConditions(conditions) : [];
  if (conditionProblems.length > 0) problems.conditions = conditionProblems.join('; ');
  const actions: PolicyActionRow[] = [];
  if (f.emailUser) actions.push({ type: 'email_user' });
  if (f.emailManager) actions.push({ type: 'email_manager' });
  if (f.block) {
    const hours = Number(f.blockHours);
    if (f.blockHours !== '' && (!Number.isInteger(hours) || hours < 1 || hours > 24 * 366))
      problems.blockHours = 'Block for 1–8,784 hours, or empty until lifted';
    actions.push({ type: 'block_user', ...(f.blockHours !== '' ? { duration_hours: hours } : {}) });
  }
  if (f.incident)
    actions.push({
      type: 'create_incident',
      ...(f.incidentAssignee ? { assignee_id: f.incidentAssignee } : {}),
    });
  if (f.webhook) {
    if (!f.webhookEndpoint) problems.webhook = 'Pick the endpoint to POST to';
    else actions.push({ type: 'webhook', endpoint_id: f.webhookEndpoint });
  }
  if (actions.length === 0) problems.actions = 'Pick at least one action';
  return {
    body: {
      name,
      description: f.description,
      severity: f.severity,
      trigger: { type: f.trigger, params },
      conditions,
      actions,
    },
    problems,
  };
}

/** Create or edit a policy: trigger, an AND/OR condition tree, stacked actions. Saving an edit makes a new version. */
export function PolicyEditor({ policy, onClose }: { policy: PolicyRow | null; onClose: () => void }) {
  const client = useQueryClient();
  const dir = useDirectory();
  const [form, setForm] = useState<Form>(() => toForm(policy));
  const [shown, setShown] = useState(false);
  const endpoints = useQuery({
    queryKey: ['webhooks'],
    queryFn: () => api<{ data: EndpointRow[] }>('/v1/webhooks'),
  });
  const { body, problems } = toBody(form);
  const save = useMutation({
    mutationFn: () =>
      policy
        ? api<PolicyRow>(`/v1/policies/${policy.id}`, { method: 'PATCH', body })
        : api<PolicyRow>('/v1/policies', { method: 'POST', body }),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['policies'] });
      onClose();
    },
  });
  const set = (patch: Partial<Form>) => setForm((f) => ({ ...f, ...patch }));
  const setParam = (k: string, v: number | string) => set({ params: { ...form.params, [k]: v } });
  const err = (k: string) => (shown ? problems[k] : undefined);
  const submit = () => {
    setShown(true);
    if (Object.keys(problems).length === 0) save.mutate();
  };
  return (
    <Modal opened onClose={onClose} title={policy ? `Edit ${policy.name}` : 'New policy'} size="xl">
      <Stack>
        <TextInput
          label="Name"
          required
          value={form.name}
          onChange={(e) => set({ name: e.currentTarget.value })}
          error={err('name')}
        />
        <Textarea
          label="Description"
          value={form.description}
          onChange={(e) => set({ description: e.currentTarget.value })}
          error={err('description')}
        />
        <Group grow>
          <Select
            label="Severity"
            data={SEVERITIES}
            value={form.severity}
            allowDeselect={false}
            onChange={(v) => set({ severity: (v ?? 'medium') as Severity })}
          />
          <Select
            label="Trigger"
            data={TRIGGERS.map((t) => ({ value: t.value, label: t.label }))}
            value={form.trigger}
            allowDeselect={false}
            onChange={(v) => {
              const trigger = (v ?? form.trigger) as TriggerType;
              set({ trigger, params: { ...DEFAULT_PARAMS[trigger] } });
            }}
          />
        </Group>
        <Group grow>
          {form.trigger === 'budget_exceeded' && (
            <NumberInput
              label="Fire from this % of the budget"
              value={form.params.min_threshold_pct}
              onChange={(v) => setParam('min_threshold_pct', v)}
              error={err('min_threshold_pct')}
            />
          )}
          {form.trigger === 'unusual_usage' && (
            <>
              <NumberInput
                label="Minimum deviation (z-score)"
                decimalScale={2}
                value={form.params.min_zscore}
                onChange={(v) => setParam('min_zscore', v)}
                error={err('min_zscore')}
              />
              <Select
                label="Compare per"
                data={['day', 'hour']}
                value={String(form.params.granularity)}
                allowDeselect={false}
                onChange={(v) => setParam('granularity', v ?? 'day')}
              />
              <NumberInput
                label="Ignore buckets under (tokens)"
                value={form.params.min_tokens}
                onChange={(v) => setParam('min_tokens', v)}
                error={err('min_tokens')}
              />
            </>
          )}
          {form.trigger === 'department_threshold' && (
            <>
              <NumberInput
                label="Department limit (tokens)"
                thousandSeparator=","
                value={form.params.limit_tokens}
                onChange={(v) => setParam('limit_tokens', v)}
                error={err('limit_tokens')}
              />
              <Select
                label="Per"
                data={['day', 'month']}
                value={String(form.params.period)}
                allowDeselect={false}
                onChange={(v) => setParam('period', v ?? 'month')}
              />
            </>
          )}
          {form.trigger === 'shadow_ai_gap' && (
            <NumberInput
              label="Minimum gap (tokens)"
              thousandSeparator=","
              value={form.params.min_gap_tokens}
              onChange={(v) => setParam('min_gap_tokens', v)}
              error={err('min_gap_tokens')}
            />
          )}
        </Group>
        <div>
          <Title order={4} size="h5" mb={4}>
            Conditions
          </Title>
          <ConditionGroup group={form.conditions} dir={dir} onChange={(conditions) => set({ conditions })} />
          {err('conditions') && (
            <Text c="red" size="sm" role="alert">
              {err('conditions')}
            </Text>
          )}
        </div>
        <div>
          <Title order={4} size="h5" mb={4}>
            Actions (one or more)
          </Title>
          <Stack gap="xs">
            <Checkbox
              label="Send email to user"
              checked={form.emailUser}
              onChange={(e) => set({ emailUser: e.currentTarget.checked })}
            />
            <Checkbox
              label="Send email to manager"
              checked={form.emailManager}
              onChange={(e) => set({ emailManager: e.currentTarget.checked })}
            />
            <Group>
              <Checkbox
                label="Block LLM access (hard cap)"
                checked={form.block}
                onChange={(e) => set({ block: e.currentTarget.checked })}
              />
              {form.block && (
                <NumberInput
                  aria-label="Block for hours"
                  placeholder="hours (empty: until lifted)"
                  w={220}
                  value={form.blockHours}
                  onChange={(v) => set({ blockHours: v })}
                  error={err('blockHours')}
                />
              )}
            </Group>
            <Group>
              <Checkbox
                label="Create incident"
                checked={form.incident}
                onChange={(e) => set({ incident: e.currentTarget.checked })}
              />
              {form.incident && (
                <Select
                  aria-label="Incident assignee"
                  placeholder="Assignee (optional)"
                  w={280}
                  data={dir.userOptions}
                  value={form.incidentAssignee}
                  onChange={(v) => set({ incidentAssignee: v })}
                  searchable
                  clearable
                />
              )}
            </Group>
            <Group>
              <Checkbox
                label="Webhook POST"
                checked={form.webhook}
                onChange={(e) => set({ webhook: e.currentTarget.checked })}
              />
              {form.webhook && (
                <Select
                  aria-label="Webhook endpoint"
                  placeholder={
                    endpoints.data?.data.length ? 'Endpoint' : 'Add an endpoint under Webhooks first'
                  }
                  w={320}
                  data={(endpoints.data?.data ?? []).map((e) => ({ value: e.id, label: e.url }))}
                  value={form.webhookEndpoint}
                  onChange={(v) => set({ webhookEndpoint: v })}
                  error={err('webhook')}
                />
              )}
            </Group>
            {err('actions') && (
              <Text c="red" size="sm" role="alert">
                {err('actions')}
              </Text>
            )}
          </Stack>
        </div>
        {save.error && (
          <Alert color="red" title="The server refused the policy">
            {save.error.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={submit} loading={save.isPending}>
            {policy ? 'Save as new version' : 'Create draft'}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
