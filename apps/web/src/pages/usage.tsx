import {
  Button,
  Card,
  Group,
  Progress,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, type Directory, query, type UsageResponse } from '../api.js';
import { useMe } from '../auth.js';
import { Chart, type ChartOption } from '../components/chart.js';
import { rangeEndingToday } from '../dates.js';
import { formatCompact, formatNumber, providerName } from '../format.js';
import { formatMoney } from '../money.js';

const TOP_USERS = 15;

const RANGES = ['7d', '30d', '90d', 'custom'] as const;
type Range = (typeof RANGES)[number];

/** Everything the view shows is in the URL, so a link reproduces it. */
function useUsageParams(timeZone: string) {
  const [params, setParams] = useSearchParams();
  const raw = params.get('range');
  const range: Range = (RANGES as readonly string[]).includes(raw ?? '') ? (raw as Range) : '30d';
  const preset = rangeEndingToday(timeZone, range === '7d' ? 7 : range === '90d' ? 90 : 30);
  const start = range === 'custom' ? (params.get('start_date') ?? preset.start) : preset.start;
  const end = range === 'custom' ? (params.get('end_date') ?? preset.end) : preset.end;
  const filters = {
    user_id: params.get('user_id') ?? undefined,
    model: params.get('model') ?? undefined,
    department_id: params.get('department_id') ?? undefined,
  };
  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setParams(next, { replace: false });
  };
  return { range, start, end, filters, update };
}

const orDash = (n: number | null) => (n === null ? '—' : formatNumber(n));

/** Estimated next to provider-reported (reconciled) tokens; "—" where no connection covers it. */
function ProviderTable({ providers }: { providers: UsageResponse<'provider'>['data'] }) {
  return (
    <Table.ScrollContainer minWidth={560} mt="md">
      <Table verticalSpacing={4} fz="sm" data-testid="provider-reconciled">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Provider</Table.Th>
            <Table.Th scope="col" ta="right">
              Estimated in
            </Table.Th>
            <Table.Th scope="col" ta="right">
              Estimated out
            </Table.Th>
            <Table.Th scope="col" ta="right">
              Reconciled in
            </Table.Th>
            <Table.Th scope="col" ta="right">
              Reconciled out
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {providers.map((p) => (
            <Table.Tr key={p.provider ?? 'unknown'}>
              <Table.Td>{providerName(p.provider)}</Table.Td>
              <Table.Td ta="right">{formatNumber(p.est_input_tokens)}</Table.Td>
              <Table.Td ta="right">{formatNumber(p.est_output_tokens)}</Table.Td>
              <Table.Td ta="right">{orDash(p.reconciled_input_tokens)}</Table.Td>
              <Table.Td ta="right">{orDash(p.reconciled_output_tokens)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

const totalOf = (row: { est_input_tokens: number; est_output_tokens: number }) =>
  row.est_input_tokens + row.est_output_tokens;

export function UsagePage() {
  const me = useMe().data;
  const timeZone = me?.org.time_zone ?? 'UTC';
  const { range, start, end, filters, update } = useUsageParams(timeZone);
  const base = { start_date: start, end_date: end, ...filters };

  const directory = useQuery({
    queryKey: ['directory'],
    queryFn: () => api<Directory>('/v1/overview/directory'),
    staleTime: 5 * 60_000,
  });
  const byProvider = useQuery({
    queryKey: ['usage', 'provider', base],
    queryFn: () => api<UsageResponse<'provider'>>(`/v1/usage${query({ ...base, group_by: 'provider' })}`),
  });
  const [showAllUsers, setShowAllUsers] = useState(false);
  const byUser = useQuery({
    queryKey: ['usage', 'user', base],
    queryFn: () => api<UsageResponse<'user_id'>>(`/v1/usage${query({ ...base, group_by: 'user' })}`),
  });

  const users = useMemo(() => new Map(directory.data?.users.map((u) => [u.id, u]) ?? []), [directory.data]);
  const departments = useMemo(
    () => new Map(directory.data?.departments.map((d) => [d.id, d]) ?? []),
    [directory.data],
  );

  const providers = [...(byProvider.data?.data ?? [])].sort((a, b) => totalOf(b) - totalOf(a));
  const anyReconciled = providers.some((p) => p.reconciled_input_tokens !== null);
  const providerOption = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0 },
      grid: { left: 56, right: 16, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: providers.map((p) => providerName(p.provider)) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatCompact(v) } },
      series: [
        {
          name: 'Input tokens',
          type: 'bar',
          stack: 'tokens',
          data: providers.map((p) => p.est_input_tokens),
        },
        {
          name: 'Output tokens',
          type: 'bar',
          stack: 'tokens',
          data: providers.map((p) => p.est_output_tokens),
        },
        // Provider-reported counts beside the estimates, for providers a connection covers.
        ...(anyReconciled
          ? [
              {
                name: 'Reconciled input',
                type: 'bar',
                stack: 'reconciled',
                data: providers.map((p) => p.reconciled_input_tokens),
              },
              {
                name: 'Reconciled output',
                type: 'bar',
                stack: 'reconciled',
                data: providers.map((p) => p.reconciled_output_tokens),
              },
            ]
          : []),
      ],
    }),
    [providers, anyReconciled],
  );

  // Every user (15 at first, then all), and the usage no user is attributed to as its own row,
  // so the shares add up to the whole.
  const allUsers = [...(byUser.data?.data ?? [])].sort((a, b) => totalOf(b) - totalOf(a));
  const ranked = allUsers.filter((row) => row.user_id);
  const unattributed = allUsers.find((row) => !row.user_id);
  const topUsers = showAllUsers ? ranked : ranked.slice(0, TOP_USERS);
  const topTotal = ranked[0] ? totalOf(ranked[0]) : 0;
  const grandTotal = allUsers.reduce((s, row) => s + totalOf(row), 0);
  const totals = byProvider.data?.totals;

  const userOptions = (directory.data?.users ?? []).map((u) => ({
    value: u.id,
    label: `${u.name} (${u.email})`,
  }));
  const departmentOptions = (directory.data?.departments ?? []).map((d) => ({ value: d.id, label: d.name }));
  const modelOptions = (directory.data?.models ?? []).map((m) => ({ value: m, label: m }));
  const filtered = Object.values(filters).some(Boolean);

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={2}>Usage</Title>
        <SegmentedControl
          aria-label="Time range"
          value={range}
          onChange={(value) => update({ range: value === '30d' ? null : value })}
          data={[
            { value: '7d', label: '7d' },
            { value: '30d', label: '30d' },
            { value: '90d', label: '90d' },
            { value: 'custom', label: 'Custom' },
          ]}
        />
      </Group>
      <Card withBorder padding="md" component="section" aria-label="Filters">
        <SimpleGrid cols={{ base: 1, sm: 2, lg: range === 'custom' ? 5 : 3 }}>
          <Select
            label="User"
            placeholder="All users"
            searchable
            clearable
            data={userOptions}
            value={filters.user_id ?? null}
            onChange={(value) => update({ user_id: value })}
          />
          <Select
            label="Model"
            placeholder="All models"
            searchable
            clearable
            data={modelOptions}
            value={filters.model ?? null}
            onChange={(value) => update({ model: value })}
          />
          <Select
            label="Department"
            placeholder="All departments"
            description="Includes sub-departments"
            searchable
            clearable
            data={departmentOptions}
            value={filters.department_id ?? null}
            onChange={(value) => update({ department_id: value })}
          />
          {range === 'custom' && (
            <>
              <TextInput
                label="From"
                type="date"
                value={start}
                max={end}
                onChange={(e) => update({ start_date: e.currentTarget.value })}
              />
              <TextInput
                label="To"
                type="date"
                value={end}
                min={start}
                onChange={(e) => update({ end_date: e.currentTarget.value })}
              />
            </>
          )}
        </SimpleGrid>
        {filtered && (
          <Button
            variant="subtle"
            mt="sm"
            size="xs"
            onClick={() => update({ user_id: null, model: null, department_id: null })}
          >
            Clear filters
          </Button>
        )}
      </Card>
      <Text size="sm" c="dimmed" data-testid="usage-summary" aria-live="polite">
        {start} – {end}
        {totals
          ? ` · ${formatNumber(totalOf(totals))} tokens (${formatNumber(totals.est_input_tokens)} in, ${formatNumber(totals.est_output_tokens)} out) · est. ${formatMoney(totals.est_cost)} · ${formatNumber(totals.events)} events`
          : ''}
        {totals?.reconciled_input_tokens != null && totals.reconciled_output_tokens != null
          ? ` · ${formatNumber(totals.reconciled_input_tokens + totals.reconciled_output_tokens)} reconciled`
          : ''}
      </Text>
      {(byProvider.error || byUser.error) && (
        <Text c="red" role="alert">
          Could not load usage: {(byProvider.error ?? byUser.error)?.message}
        </Text>
      )}
      <Card withBorder padding="lg" component="section" aria-labelledby="providers-title">
        <Title order={3} size="h4" id="providers-title" mb="sm">
          Tokens by Provider
        </Title>
        <Chart
          option={providerOption}
          height={320}
          label={`Estimated${anyReconciled ? ' and reconciled' : ''} input and output tokens by provider`}
        />
        {anyReconciled && <ProviderTable providers={providers} />}
      </Card>
      <Card withBorder padding="lg" component="section" aria-labelledby="top-users-title">
        <Title order={3} size="h4" id="top-users-title" mb="sm">
          Top Users
        </Title>
        <Table.ScrollContainer minWidth={560}>
          <Table verticalSpacing="xs" data-testid="top-users">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">User</Table.Th>
                <Table.Th scope="col">Department</Table.Th>
                <Table.Th scope="col" style={{ textAlign: 'right' }}>
                  Tokens
                </Table.Th>
                <Table.Th scope="col" style={{ textAlign: 'right' }}>
                  Est. cost
                </Table.Th>
                <Table.Th scope="col" style={{ textAlign: 'right' }}>
                  Share
                </Table.Th>
                <Table.Th scope="col" w="25%">
                  Relative to top user
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {topUsers.map((row) => {
                const user = row.user_id ? users.get(row.user_id) : undefined;
                const department = user?.department_id ? departments.get(user.department_id) : undefined;
                const share = topTotal ? (totalOf(row) / topTotal) * 100 : 0;
                return (
                  <Table.Tr key={row.user_id}>
                    <Table.Td>
                      <Text size="sm" fw={500}>
                        {user?.name ?? row.user_id}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {user?.email}
                      </Text>
                    </Table.Td>
                    <Table.Td>{department?.name ?? '—'}</Table.Td>
                    <Table.Td style={{ textAlign: 'right' }}>{formatNumber(totalOf(row))}</Table.Td>
                    <Table.Td style={{ textAlign: 'right' }}>{formatMoney(row.est_cost)}</Table.Td>
                    <Table.Td style={{ textAlign: 'right' }}>{percentOf(totalOf(row), grandTotal)}</Table.Td>
                    <Table.Td>
                      <Progress
                        value={share}
                        aria-label={`${Math.round(share)}% of the top user`}
                        size="lg"
                      />
                    </Table.Td>
                  </Table.Tr>
                );
              })}
              {unattributed && totalOf(unattributed) > 0 && (
                <Table.Tr data-testid="top-users-unattributed">
                  <Table.Td>
                    <Text size="sm" fw={500} fs="italic">
                      Unattributed
                    </Text>
                    <Text size="xs" c="dimmed">
                      devices or keys not mapped to a person
                    </Text>
                  </Table.Td>
                  <Table.Td>—</Table.Td>
                  <Table.Td style={{ textAlign: 'right' }}>{formatNumber(totalOf(unattributed))}</Table.Td>
                  <Table.Td style={{ textAlign: 'right' }}>{formatMoney(unattributed.est_cost)}</Table.Td>
                  <Table.Td style={{ textAlign: 'right' }}>
                    {percentOf(totalOf(unattributed), grandTotal)}
                  </Table.Td>
                  <Table.Td />
                </Table.Tr>
              )}
              {byUser.data && allUsers.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={6}>
                    <Text c="dimmed" size="sm">
                      No usage in this period.
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {ranked.length > TOP_USERS && (
          <Button
            variant="subtle"
            mt="xs"
            onClick={() => setShowAllUsers((v) => !v)}
            data-testid="top-users-toggle"
          >
            {showAllUsers ? `Show the top ${TOP_USERS}` : `Show all ${ranked.length} users`}
          </Button>
        )}
      </Card>
    </Stack>
  );
}

function percentOf(part: number, whole: number): string {
  return whole ? `${((part / whole) * 100).toFixed(1)}%` : '—';
}
