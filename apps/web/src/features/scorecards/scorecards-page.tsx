import { SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api.js';

interface Scorecard {
  subject_id: string;
  name: string;
  metrics: {
    eligible: number;
    active_30d: number;
    adoption_rate: number;
    tokens_30d: number;
    token_trend_pct: number | null;
    model_diversity: number;
    efficiency: { current: number | null; trend_30d: number | null; trend_90d: number | null };
  };
}

const formatTokens = (n: number) => Math.round(n).toLocaleString();
const signed = (n: number | null, unit = '') => (n === null ? '—' : `${n > 0 ? '+' : ''}${n}${unit}`);

/** Scorecards: nightly adoption scorecards per department, team and employee. */
export function ScorecardsPage() {
  const [kind, setKind] = useState('department');
  const cards = useQuery({
    queryKey: ['scorecards', kind],
    queryFn: () => api<{ day: string; scorecards: Scorecard[] }>(`/v1/scorecards?subject_type=${kind}`),
  });
  return (
    <Stack>
      <Title order={2}>AI adoption scorecards</Title>
      <SegmentedControl
        value={kind}
        onChange={setKind}
        data={[
          { value: 'department', label: 'Departments' },
          { value: 'team', label: 'Teams' },
          { value: 'employee', label: 'Employees' },
        ]}
      />
      <Text size="sm" c="dimmed">
        Computed nightly{cards.data ? ` (as of ${cards.data.day})` : ''}.
      </Text>
      <Table striped data-testid="scorecards-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Adoption</Table.Th>
            <Table.Th>Tokens (30 d)</Table.Th>
            <Table.Th>vs previous 30 d</Table.Th>
            <Table.Th>Models</Table.Th>
            <Table.Th>Efficiency</Table.Th>
            <Table.Th>Δ 30 d / 90 d</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(cards.data?.scorecards ?? []).map((c) => (
            <Table.Tr key={c.subject_id}>
              <Table.Td>{c.name}</Table.Td>
              <Table.Td>
                {Math.round(c.metrics.adoption_rate * 100)}% ({c.metrics.active_30d}/{c.metrics.eligible})
              </Table.Td>
              <Table.Td>{formatTokens(c.metrics.tokens_30d)}</Table.Td>
              <Table.Td>{signed(c.metrics.token_trend_pct, '%')}</Table.Td>
              <Table.Td>{c.metrics.model_diversity}</Table.Td>
              <Table.Td>{c.metrics.efficiency.current ?? '—'}</Table.Td>
              <Table.Td>
                {signed(c.metrics.efficiency.trend_30d)} / {signed(c.metrics.efficiency.trend_90d)}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
