import { Badge, Card, Group, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api, type Overview } from '../api.js';
import { Chart, type ChartOption } from '../components/chart.js';
import { formatCompact, formatNumber } from '../format.js';
import { formatMoney } from '../money.js';

function Tile({ label, value, hint }: { label: string; value: React.ReactNode; hint?: React.ReactNode }) {
  return (
    <Card withBorder padding="lg" component="section" aria-label={label}>
      <Text size="sm" c="dimmed" fw={500}>
        {label}
      </Text>
      <Text fz={32} fw={700} lh={1.2} mt={4} data-testid={`tile-${label.toLowerCase().replace(/\W+/g, '-')}`}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed" mt={4}>
          {hint}
        </Text>
      )}
    </Card>
  );
}

export function OverviewPage() {
  const overview = useQuery({ queryKey: ['overview'], queryFn: () => api<Overview>('/v1/overview') });
  const data = overview.data;
  const option = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 56, right: 16, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: data?.trend.map((d) => d.date.slice(5)) ?? [] },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatCompact(v) } },
      series: [
        {
          name: 'Input tokens',
          type: 'line',
          smooth: true,
          areaStyle: { opacity: 0.15 },
          data: data?.trend.map((d) => d.est_input_tokens) ?? [],
        },
        {
          name: 'Output tokens',
          type: 'line',
          smooth: true,
          areaStyle: { opacity: 0.15 },
          data: data?.trend.map((d) => d.est_output_tokens) ?? [],
        },
      ],
    }),
    [data],
  );

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Overview</Title>
        <Text c="dimmed" size="sm">
          Last 30 days{data ? ` · ${data.start_date} – ${data.end_date}` : ''}
        </Text>
      </Group>
      {overview.error && <Text c="red">Could not load the overview: {overview.error.message}</Text>}
      <SimpleGrid cols={{ base: 1, xs: 2, lg: 4 }}>
        {data ? (
          <>
            <Tile
              label="Enrolled Devices"
              value={formatNumber(data.enrolled_devices)}
              hint="Active agent certificates"
            />
            <Tile
              label="Active Users"
              value={formatNumber(data.active_users)}
              hint="At least one usage event"
            />
            <Tile
              label="Total Tokens (30d)"
              value={formatCompact(data.total_tokens)}
              hint={
                data.reconciled_tokens === null ? (
                  <>
                    Estimated input + output · ≈{' '}
                    <span data-testid="tile-cost">{formatMoney(data.est_cost)}</span>
                  </>
                ) : (
                  <>
                    Estimated ≈ <span data-testid="tile-cost">{formatMoney(data.est_cost)}</span> ·{' '}
                    <span data-testid="tile-reconciled">{formatCompact(data.reconciled_tokens)}</span>{' '}
                    reconciled (connected providers)
                  </>
                )
              }
            />
            <Tile
              label="Protected"
              value={
                <Badge size="xl" color={data.protected.protected ? 'teal' : 'red.9'}>
                  {data.protected.protected ? 'Yes' : 'No'}
                </Badge>
              }
              hint={`${data.protected.reporting_devices} of ${data.protected.active_devices} agents reporting (15 min)`}
            />
          </>
        ) : (
          [1, 2, 3, 4].map((n) => <Skeleton key={n} h={120} />)
        )}
      </SimpleGrid>
      <Card withBorder padding="lg" component="section" aria-labelledby="trend-title">
        <Title order={3} size="h4" id="trend-title" mb="sm">
          Usage trend
        </Title>
        <Chart option={option} height={320} label="Daily estimated input and output tokens, last 30 days" />
      </Card>
    </Stack>
  );
}
