import { Alert, Button, Group, NumberInput, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api.js';
import { formatNumber, providerName } from '../../format.js';
import { type Allowance, loadPersonalUsage, redeemAllowance } from './perks-api.js';

const tokensOf = (u: { est_input_tokens: number; est_output_tokens: number }) =>
  u.est_input_tokens + u.est_output_tokens;

/** My decrypted personal usage (last 90 days), my allowance, redeem and opt-out. */
export function PersonalUsageView({
  privateKey,
  allowance,
  onLock,
}: {
  privateKey: string;
  allowance: Allowance | null;
  onLock: () => void;
}) {
  const client = useQueryClient();
  const usage = useQuery({
    queryKey: ['perks', 'usage', privateKey.slice(0, 8)],
    queryFn: () => loadPersonalUsage(privateKey),
  });
  const [amount, setAmount] = useState<number | string>('');
  const redeem = useMutation({
    mutationFn: () => redeemAllowance(allowance?.period ?? '', Number(amount)),
    onSuccess: () => client.invalidateQueries({ queryKey: ['perks', 'me'] }),
  });
  const optOut = useMutation({
    mutationFn: () => api('/v1/me/perks/enrollment', { method: 'DELETE' }),
    onSuccess: async () => {
      onLock();
      await client.invalidateQueries({ queryKey: ['perks'] });
    },
  });

  const records = usage.data?.usage ?? [];
  const thisMonth = records.filter((u) => u.occurred_at.startsWith(allowance?.period ?? '—'));
  const byProvider = new Map<string, { requests: number; tokens: number }>();
  for (const u of records) {
    const p = byProvider.get(u.provider ?? u.host) ?? { requests: 0, tokens: 0 };
    byProvider.set(u.provider ?? u.host, { requests: p.requests + 1, tokens: p.tokens + tokensOf(u) });
  }

  return (
    <Stack>
      {usage.isPending && <Text c="dimmed">Decrypting your records…</Text>}
      {usage.error && <Alert color="red">{String(usage.error)}</Alert>}
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <div>
          <Text size="sm" c="dimmed">
            Personal requests (90 days)
          </Text>
          <Text fz={24} fw={700} data-testid="personal-requests">
            {formatNumber(records.length)}
          </Text>
        </div>
        <div>
          <Text size="sm" c="dimmed">
            Personal tokens this month (est.)
          </Text>
          <Text fz={24} fw={700} data-testid="personal-tokens-month">
            {formatNumber(thisMonth.reduce((sum, u) => sum + tokensOf(u), 0))}
          </Text>
        </div>
        <div>
          <Text size="sm" c="dimmed">
            Allowance left ({allowance?.period ?? '—'})
          </Text>
          <Text fz={24} fw={700} data-testid="perks-remaining">
            {allowance
              ? `${formatNumber(allowance.remaining_tokens)} / ${formatNumber(allowance.monthly_allowance_tokens)}`
              : '—'}
          </Text>
        </div>
      </SimpleGrid>
      {usage.data && usage.data.unreadable > 0 && (
        <Alert color="yellow">
          {usage.data.unreadable} records could not be decrypted and are not shown.
        </Alert>
      )}
      <Table data-testid="personal-usage" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">When</Table.Th>
            <Table.Th scope="col">Host</Table.Th>
            <Table.Th scope="col">Provider</Table.Th>
            <Table.Th scope="col">Tokens (est.)</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {records.slice(0, 50).map((u) => (
            <Table.Tr key={u.id}>
              <Table.Td>{new Date(u.occurred_at).toLocaleString()}</Table.Td>
              <Table.Td>{u.host}</Table.Td>
              <Table.Td>{providerName(u.provider)}</Table.Td>
              <Table.Td>{formatNumber(tokensOf(u))}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {records.length === 0 && !usage.isPending && (
        <Text c="dimmed">No personal usage yet. Turn personal mode on with `toktra agent personal on`.</Text>
      )}
      <Text size="sm" c="dimmed">
        By provider:{' '}
        {[...byProvider].map(([p, v]) => `${providerName(p)} ${formatNumber(v.tokens)}`).join(' · ') || '—'}
      </Text>
      {allowance && allowance.monthly_allowance_tokens > 0 && (
        <Group align="flex-end">
          <NumberInput
            label="Redeem tokens from this month’s allowance"
            description="Only the amount is sent — never your records."
            value={amount}
            onChange={setAmount}
            min={1}
            max={allowance.remaining_tokens}
            w={320}
          />
          <Button onClick={() => redeem.mutate()} loading={redeem.isPending} disabled={!Number(amount)}>
            Redeem
          </Button>
        </Group>
      )}
      {redeem.error && <Alert color="red">{redeem.error.message}</Alert>}
      <Group>
        <Button variant="default" onClick={onLock}>
          Lock
        </Button>
        <Button
          color="red"
          variant="light"
          loading={optOut.isPending}
          onClick={() => {
            if (window.confirm('Opt out of Token Perks? Your key and all your personal records are deleted.'))
              optOut.mutate();
          }}
        >
          Opt out and delete my personal records
        </Button>
      </Group>
    </Stack>
  );
}
