import { Badge, Card, Group, SegmentedControl, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { api, query } from '../../api.js';
import { rangeEndingToday } from '../../dates.js';
import { formatCompact, formatNumber, providerName } from '../../format.js';
import { CalibrationTable } from './calibration-table.js';
import { DimensionTable } from './dimension-table.js';
import { GapChart } from './gap-chart.js';
import type { ShadowAiResponse, ShadowAiTotal } from './types.js';

const RANGES = { '7d': 7, '30d': 30, '90d': 90 } as const;
type Range = keyof typeof RANGES;

/** No all-clear without data: a gap of 0 means nothing until the provider's figures are in. */
const STATE_TEXT: Record<Exclude<ShadowAiTotal['state'], 'ok'>, string> = {
  not_synced: 'Not synced yet: no provider data, so no gap can be computed.',
  unhealthy: 'The connection is unhealthy: provider data may be missing or stale.',
  no_data: 'Synced, but the provider reported no usage in this range.',
};

function StateBadge({ total }: { total: ShadowAiTotal }) {
  if (total.state === 'not_synced') return <Badge color="yellow">not synced yet</Badge>;
  if (total.state === 'unhealthy') return <Badge color="red">unhealthy</Badge>;
  if (total.state === 'no_data') return <Badge color="gray">no provider data</Badge>;
  return total.significant ? (
    <Badge color="orange">shadow usage</Badge>
  ) : (
    <Badge color="gray">within band</Badge>
  );
}

function TotalCard({ total, selected }: { total: ShadowAiTotal; selected: boolean }) {
  const share = total.reconciled_tokens ? (total.gap_tokens / total.reconciled_tokens) * 100 : 0;
  return (
    <Card
      withBorder
      padding="md"
      component="section"
      aria-label={`${providerName(total.provider)} totals`}
      bd={selected ? '2px solid var(--mantine-primary-color-filled)' : undefined}
      data-testid={`shadow-total-${total.provider}`}
    >
      <Group justify="space-between">
        <Text fw={600}>{providerName(total.provider)}</Text>
        <StateBadge total={total} />
      </Group>
      {total.state !== 'ok' ? (
        <Text size="sm" mt="xs" c="dimmed" data-testid={`shadow-state-${total.provider}`}>
          {STATE_TEXT[total.state]}
          {total.last_error ? ` Last error: ${total.last_error}` : ''}
        </Text>
      ) : null}
      <Text size="sm" mt="xs">
        Provider-reported {formatCompact(total.reconciled_tokens)} · agent-observed{' '}
        {formatCompact(total.observed_tokens)}
      </Text>
      <Text size="sm" fw={600}>
        Gap {formatCompact(total.gap_tokens)} ({share.toFixed(0)}%) · band {formatCompact(total.band.lower)} –{' '}
        {formatCompact(total.band.upper)}
      </Text>
    </Card>
  );
}

/**
 * Shadow AI: per provider per day, what the provider billed minus what agents on managed devices
 * observed (calibrated), with the 95% band of that gap, the provider's own dimensions, and the
 * estimator's error before and after calibration.
 */
export function ShadowAiPage() {
  const [params, setParams] = useSearchParams();
  const range: Range = (params.get('range') as Range | null) ?? '30d';
  const { start, end } = rangeEndingToday('UTC', RANGES[range] ?? 30);
  // Shadow AI days are UTC days, as providers report them.
  const shadow = useQuery({
    queryKey: ['shadow-ai', start, end],
    queryFn: () => api<ShadowAiResponse>(`/v1/shadow-ai${query({ start_date: start, end_date: end })}`),
  });
  const totals = shadow.data?.totals ?? [];
  const provider = params.get('provider') ?? totals[0]?.provider ?? null;
  const days = useMemo(
    () => (shadow.data?.data ?? []).filter((d) => d.provider === provider),
    [shadow.data, provider],
  );
  const update = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next);
  };
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={2}>Shadow AI</Title>
        <SegmentedControl
          aria-label="Time range"
          value={range}
          onChange={(v) => update('range', v === '30d' ? null : v)}
          data={Object.keys(RANGES)}
        />
      </Group>
      <Text size="sm" c="dimmed">
        Usage a provider reports that managed devices cannot account for: provider-reported tokens minus what
        the agents observed (estimated with calibrated ratios). A gap whose whole 95% band lies above zero is
        usage from unmanaged devices, servers or shared keys.
      </Text>
      {shadow.error && (
        <Text c="red" role="alert">
          Could not load Shadow AI: {shadow.error.message}
        </Text>
      )}
      {shadow.data && totals.length === 0 && (
        <Card withBorder>
          <Text c="dimmed">
            No provider connections yet. Connect a provider's admin API under Settings → Provider Connections.
          </Text>
        </Card>
      )}
      {totals.length > 0 && (
        <>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
            {totals.map((t) => (
              <TotalCard key={t.provider} total={t} selected={t.provider === provider} />
            ))}
          </SimpleGrid>
          {totals.length > 1 && (
            <SegmentedControl
              aria-label="Provider"
              value={provider ?? ''}
              onChange={(v) => update('provider', v)}
              data={totals.map((t) => ({ value: t.provider, label: providerName(t.provider) }))}
            />
          )}
          <Card withBorder padding="lg" component="section" aria-labelledby="gap-title">
            <Title order={3} size="h4" id="gap-title" mb="sm">
              {providerName(provider)}: reported vs observed per day
            </Title>
            <GapChart days={days} providerLabel={providerName(provider)} />
            <Table.ScrollContainer minWidth={640} mt="md">
              <Table verticalSpacing={4} fz="sm" data-testid="shadow-days">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Day</Table.Th>
                    <Table.Th scope="col" ta="right">
                      Provider-reported
                    </Table.Th>
                    <Table.Th scope="col" ta="right">
                      Agent-observed
                    </Table.Th>
                    <Table.Th scope="col" ta="right">
                      Gap
                    </Table.Th>
                    <Table.Th scope="col" ta="right">
                      95% band
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {[...days].reverse().map((d) => (
                    <Table.Tr key={d.date}>
                      <Table.Td>
                        {d.date}{' '}
                        {d.significant && (
                          <Badge color="orange" size="xs">
                            shadow
                          </Badge>
                        )}
                      </Table.Td>
                      <Table.Td ta="right">
                        {d.reconciled_input_tokens === null
                          ? '—'
                          : formatNumber(d.reconciled_input_tokens + (d.reconciled_output_tokens ?? 0))}
                      </Table.Td>
                      <Table.Td ta="right">
                        {formatNumber(d.observed_input_tokens + d.observed_output_tokens)}
                      </Table.Td>
                      <Table.Td ta="right">
                        {d.gap_tokens === null ? '—' : formatNumber(d.gap_tokens)}
                      </Table.Td>
                      <Table.Td ta="right">
                        {d.band ? `${formatNumber(d.band.lower)} – ${formatNumber(d.band.upper)}` : '—'}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Card>
          <DimensionTable days={days} />
        </>
      )}
      <CalibrationTable />
    </Stack>
  );
}
