import {
  Alert,
  Button,
  Card,
  Group,
  NumberInput,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api.js';
import { formatNumber } from '../../format.js';

interface PerksSummary {
  enrollments: number;
  monthly_allowance_tokens: number;
  min_aggregate_size: number;
  periods: Array<{ period: string; redeemed_tokens: number | null; redeeming_employees: number | null }>;
}

/**
 * Token Perks for admins: everything the API lets them see — how many opted in, the monthly
 * allowance they set, and redemption sums over enough people. Nobody's ledger, by design.
 */
export function PerksAdminPage() {
  const client = useQueryClient();
  const summary = useQuery({
    queryKey: ['perks', 'summary'],
    queryFn: () => api<PerksSummary>('/v1/perks/summary'),
  });
  const [allowance, setAllowance] = useState<number | string>('');
  const save = useMutation({
    mutationFn: () =>
      api('/v1/perks/settings', { method: 'PUT', body: { monthly_allowance_tokens: Number(allowance) } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['perks', 'summary'] }),
  });
  const data = summary.data;

  return (
    <Stack>
      <Title order={2}>Token Perks</Title>
      <Text c="dimmed" size="sm" maw={760}>
        Employees’ personal AI usage is encrypted on their devices to keys only they hold. You see aggregates
        only: how many people opted in and how much of the allowance was redeemed each month (shown once at
        least {data?.min_aggregate_size ?? 3} people redeemed). Personal records are deleted after 90 days.
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Card withBorder>
          <Text size="sm" c="dimmed">
            Employees opted in
          </Text>
          <Text fz={28} fw={700} data-testid="perks-enrollments">
            {data ? formatNumber(data.enrollments) : '—'}
          </Text>
        </Card>
        <Card withBorder>
          <Text size="sm" c="dimmed">
            Monthly allowance per employee (tokens)
          </Text>
          <Text fz={28} fw={700} data-testid="perks-allowance">
            {data ? formatNumber(data.monthly_allowance_tokens) : '—'}
          </Text>
        </Card>
      </SimpleGrid>
      <Card withBorder component="section" aria-labelledby="perks-allowance-form">
        <Title order={3} size="h5" id="perks-allowance-form" mb="xs">
          Set the monthly allowance
        </Title>
        <Group align="flex-end">
          <NumberInput
            label="Tokens per enrolled employee per month"
            value={allowance}
            onChange={setAllowance}
            min={0}
            w={320}
          />
          <Button onClick={() => save.mutate()} loading={save.isPending} disabled={allowance === ''}>
            Save
          </Button>
        </Group>
        {save.error && (
          <Alert color="red" mt="sm">
            {save.error.message}
          </Alert>
        )}
      </Card>
      <Card withBorder component="section" aria-labelledby="perks-redemptions">
        <Title order={3} size="h5" id="perks-redemptions" mb="xs">
          Redemptions by month
        </Title>
        <Table data-testid="perks-periods">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Month</Table.Th>
              <Table.Th scope="col">Tokens redeemed</Table.Th>
              <Table.Th scope="col">Employees redeeming</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(data?.periods ?? []).map((p) => (
              <Table.Tr key={p.period}>
                <Table.Td>{p.period}</Table.Td>
                <Table.Td>
                  {p.redeemed_tokens === null ? 'hidden (too few people)' : formatNumber(p.redeemed_tokens)}
                </Table.Td>
                <Table.Td>
                  {p.redeeming_employees === null ? '—' : formatNumber(p.redeeming_employees)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {data && data.periods.length === 0 && <Text c="dimmed">No redemptions in the last 90 days.</Text>}
      </Card>
    </Stack>
  );
}
