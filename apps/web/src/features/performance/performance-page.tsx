import { Badge, Card, Group, Select, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api.js';

type Trend = 'up' | 'down' | 'flat' | 'new';
type Tier = 'standard' | 'advanced' | 'premium';

interface UserScore {
  user_id: string;
  name: string;
  score: number | null;
  previous_score: number | null;
  trend: Trend;
  coaching: string[];
  tier: Tier;
  tier_source: 'score' | 'override';
}

interface Leaderboard {
  anonymized: boolean;
  entries: Array<{ rank: number; display_name: string; score: number; trend: Trend }>;
}

const TREND = { up: '▲', down: '▼', flat: '▬', new: '•' } as const;
const TREND_COLOR = { up: 'teal', down: 'red', flat: 'gray', new: 'gray' } as const;

function TrendMark({ trend }: { trend: Trend }) {
  return (
    <Text span c={TREND_COLOR[trend]} aria-label={`trend ${trend}`}>
      {TREND[trend]}
    </Text>
  );
}

/** Performance: individual efficiency scores, team leaderboard (anonymisable) and model tiers. */
export function PerformancePage() {
  const client = useQueryClient();
  const [department, setDepartment] = useState<string | null>(null);
  const [anonymize, setAnonymize] = useState(false);
  const departments = useQuery({
    queryKey: ['departments'],
    queryFn: () => api<{ data: Array<{ id: string; name: string }> }>('/v1/departments?limit=200'),
  });
  const scores = useQuery({
    queryKey: ['performance-scores'],
    queryFn: () => api<{ users: UserScore[] }>('/v1/performance/scores'),
  });
  const board = useQuery({
    queryKey: ['leaderboard', department, anonymize],
    queryFn: () =>
      api<Leaderboard>(
        `/v1/performance/leaderboard?anonymize=${anonymize}${department ? `&department_id=${department}` : ''}`,
      ),
  });
  const setTier = useMutation({
    mutationFn: ({ userId, tier }: { userId: string; tier: string }) =>
      tier === 'auto'
        ? api(`/v1/tiers/${userId}`, { method: 'DELETE' })
        : api(`/v1/tiers/${userId}`, { method: 'PUT', body: { tier } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['performance-scores'] }),
  });
  return (
    <Stack>
      <Title order={2}>Performance</Title>
      <Card withBorder>
        <Title order={4}>Individual scores</Title>
        <Text size="sm" c="dimmed">
          Efficiency from metadata only (never prompts or answers), last 30 days.
        </Text>
        <Table striped data-testid="scores-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Person</Table.Th>
              <Table.Th>Score</Table.Th>
              <Table.Th>Trend</Table.Th>
              <Table.Th>Model tier</Table.Th>
              <Table.Th>Coaching</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(scores.data?.users ?? []).map((u) => (
              <Table.Tr key={u.user_id}>
                <Table.Td>{u.name}</Table.Td>
                <Table.Td>{u.score ?? '—'}</Table.Td>
                <Table.Td>
                  <TrendMark trend={u.trend} />
                </Table.Td>
                <Table.Td>
                  <Select
                    size="xs"
                    aria-label={`Tier for ${u.name}`}
                    value={u.tier_source === 'override' ? u.tier : 'auto'}
                    data={[
                      { value: 'auto', label: `From score (${u.tier})` },
                      { value: 'standard', label: 'Standard' },
                      { value: 'advanced', label: 'Advanced' },
                      { value: 'premium', label: 'Premium' },
                    ]}
                    onChange={(tier) => tier && setTier.mutate({ userId: u.user_id, tier })}
                  />
                </Table.Td>
                <Table.Td>
                  <Text size="xs">{u.coaching.join(' ')}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
      <Card withBorder>
        <Group justify="space-between">
          <Title order={4}>Team leaderboard</Title>
          <Group>
            <Select
              placeholder="Whole organisation"
              clearable
              aria-label="Department"
              value={department}
              onChange={setDepartment}
              data={(departments.data?.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
            />
            <Switch
              label="Anonymize"
              checked={anonymize}
              onChange={(e) => setAnonymize(e.currentTarget.checked)}
            />
          </Group>
        </Group>
        <Table data-testid="leaderboard">
          <Table.Tbody>
            {(board.data?.entries ?? []).map((e) => (
              <Table.Tr key={`${e.rank}-${e.display_name}`}>
                <Table.Td>#{e.rank}</Table.Td>
                <Table.Td>{e.display_name}</Table.Td>
                <Table.Td>
                  <Badge variant="light">{e.score}</Badge>
                </Table.Td>
                <Table.Td>
                  <TrendMark trend={e.trend} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
    </Stack>
  );
}
