import { Badge, Card, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api, type Device, query, type UsageResponse } from '../api.js';
import { useMe } from '../auth.js';
import { Chart, type ChartOption } from '../components/chart.js';
import { rangeEndingToday } from '../dates.js';
import { MyDataRequestsSection } from '../features/data-requests/my-data-requests-section.js';
import { MyBudgetSection } from '../features/my-budget/my-budget-section.js';
import { TokenPerksSection } from '../features/perks/token-perks-section.js';
import { PrivacyHoursSection } from '../features/privacy/privacy-hours-section.js';
import { formatAgo, formatCompact, formatNumber, providerName } from '../format.js';

/** The employee portal: my own usage and devices, and the privacy controls later issues add. */
export function PortalPage() {
  const me = useMe().data;
  const { start, end } = rangeEndingToday(me?.org.time_zone ?? 'UTC', 30);
  const userId = me?.user?.id;
  const base = { start_date: start, end_date: end, user_id: userId };
  const byDay = useQuery({
    queryKey: ['usage', 'me', 'day', base],
    queryFn: () => api<UsageResponse<'date'>>(`/v1/usage${query({ ...base, group_by: 'day' })}`),
    enabled: !!userId,
  });
  const byProvider = useQuery({
    queryKey: ['usage', 'me', 'provider', base],
    queryFn: () => api<UsageResponse<'provider'>>(`/v1/usage${query({ ...base, group_by: 'provider' })}`),
    enabled: !!userId,
  });
  const devices = useQuery({
    queryKey: ['devices', 'me'],
    queryFn: () => api<{ data: Device[] }>('/v1/me/devices'),
    enabled: !!userId,
  });
  // Every day of the range, with its date (the API lists only days with usage, keyed `date`).
  const days = useMemo(() => {
    const used = new Map((byDay.data?.data ?? []).map((d) => [String(d.date), d]));
    const out: Array<{ date: string; tokens: number }> = [];
    for (let t = Date.parse(`${start}T00:00:00Z`); t <= Date.parse(`${end}T00:00:00Z`); t += 86_400_000) {
      const date = new Date(t).toISOString().slice(0, 10);
      const d = used.get(date);
      out.push({ date, tokens: d ? d.est_input_tokens + d.est_output_tokens : 0 });
    }
    return out;
  }, [byDay.data, start, end]);
  const option = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 56, right: 16, top: 16, bottom: 28 },
      xAxis: { type: 'category', data: days.map((d) => dayLabel(d.date)) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatCompact(v) } },
      series: [{ name: 'Tokens', type: 'bar', data: days.map((d) => d.tokens) }],
    }),
    [days],
  );
  const totals = byDay.data?.totals;

  return (
    <Stack>
      <Title order={2}>My usage</Title>
      <Text c="dimmed" size="sm">
        {me?.user?.name} · last 30 days. Only you and your organization’s administrators can see this.
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <Card withBorder>
          <Text size="sm" c="dimmed">
            My tokens (30d)
          </Text>
          <Text fz={28} fw={700} data-testid="my-tokens">
            {totals ? formatNumber(totals.est_input_tokens + totals.est_output_tokens) : '—'}
          </Text>
        </Card>
        <Card withBorder>
          <Text size="sm" c="dimmed">
            Requests (30d)
          </Text>
          <Text fz={28} fw={700}>
            {totals ? formatNumber(totals.events) : '—'}
          </Text>
        </Card>
        <Card withBorder>
          <Text size="sm" c="dimmed">
            Providers used
          </Text>
          <Text fz={16} fw={500} mt={6}>
            {(byProvider.data?.data ?? []).map((p) => providerName(p.provider)).join(', ') || '—'}
          </Text>
        </Card>
      </SimpleGrid>
      <Card withBorder padding="lg" component="section" aria-labelledby="my-trend">
        <Title order={3} size="h4" id="my-trend" mb="sm">
          Daily tokens
        </Title>
        <Chart option={option} height={240} label="My daily tokens, last 30 days" />
      </Card>
      <Card withBorder padding="lg" component="section" aria-labelledby="my-devices">
        <Title order={3} size="h4" id="my-devices" mb="sm">
          My devices
        </Title>
        <Table data-testid="my-devices">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Device</Table.Th>
              <Table.Th scope="col">OS</Table.Th>
              <Table.Th scope="col">Last seen</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(devices.data?.data ?? []).map((d) => (
              <Table.Tr key={d.id}>
                <Table.Td>{d.hostname}</Table.Td>
                <Table.Td>{d.os ?? '—'}</Table.Td>
                <Table.Td>{formatAgo(d.last_seen_at)}</Table.Td>
                <Table.Td>
                  <Badge color={d.status === 'active' ? 'teal' : 'gray'}>{d.status}</Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
      <MyBudgetSection />
      <PrivacyHoursSection />
      <TokenPerksSection />
      <MyDataRequestsSection />
    </Stack>
  );
}

/** "Dec 7" for a `YYYY-MM-DD` calendar day (no zone shift: the day is already the org's). */
function dayLabel(date: string): string {
  return new Date(`${date}T00:00:00Z`).toLocaleDateString('en-US', {
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  });
}
