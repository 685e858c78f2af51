import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useMe } from '../../auth.js';
import { formatNumber } from '../../format.js';
import { getMyBudget, type MyBudget, type MyBudgetLine, requestExemption } from './my-budget-api.js';

const STATUS_COLOR = { requested: 'yellow', approved: 'teal', rejected: 'red' } as const;

function amount(line: MyBudgetLine, n: number): string {
  return line.unit === 'tokens' ? `${formatNumber(n)} tokens` : n.toFixed(2);
}

/**
 * "My budget" in the employee portal: am I blocked and why (the preflight answer), the budgets over
 * me with this period's spend, and exemption requests. The browser extension's block notice links
 * here (`/portal#exemptions`), so this card is where a blocked person asks for more.
 */
export function MyBudgetSection() {
  const me = useMe().data;
  const mine = useQuery({ queryKey: ['my-budget'], queryFn: getMyBudget, enabled: !!me?.user });
  const data = mine.data;
  // The SPA renders the card after the page has loaded, so the browser's own jump to the
  // fragment finds nothing; scroll once the card is there.
  useEffect(() => {
    if (data && window.location.hash === '#exemptions')
      document.getElementById('exemptions')?.scrollIntoView();
  }, [data]);
  if (!me?.user) return null;

  return (
    <Card
      withBorder
      padding="lg"
      component="section"
      id="exemptions"
      // Clear of the sticky header when the extension's link jumps here.
      style={{ scrollMarginTop: 72 }}
      aria-labelledby="my-budget"
      data-testid="my-budget"
    >
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h4" id="my-budget">
          My budget
        </Title>
        {data ? (
          <Badge
            color={data.status.blocked ? 'red' : data.status.code === 'soft_cap' ? 'orange' : 'teal'}
            data-testid="my-budget-state"
          >
            {data.status.blocked ? 'Blocked' : data.status.code === 'soft_cap' ? 'Over soft cap' : 'Allowed'}
          </Badge>
        ) : null}
      </Group>
      {!data ? (
        <Text c="dimmed">Loading…</Text>
      ) : (
        <Stack>
          <Text size="sm" data-testid="my-budget-reason">
            {data.status.blocked
              ? `AI requests are blocked for you now: ${data.status.reason}`
              : data.status.code === 'no_budget'
                ? 'No budget applies to you.'
                : data.status.code === 'soft_cap'
                  ? `You may use AI tools now, but ${data.status.reason} (${data.period}).`
                  : `You may use AI tools now (${data.period}).`}
          </Text>
          <BudgetTable data={data} />
          {data.budgets.length > 0 ? <RequestForm data={data} userId={me.user.id} /> : null}
          <MyRequests data={data} />
        </Stack>
      )}
    </Card>
  );
}

function BudgetTable({ data }: { data: MyBudget }) {
  if (data.budgets.length === 0) return null;
  return (
    <Table data-testid="my-budgets" captionSide="bottom">
      <Table.Caption>Used counts everyone the budget covers, not only you.</Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Budget</Table.Th>
          <Table.Th scope="col">Cap</Table.Th>
          <Table.Th scope="col">Used ({data.period})</Table.Th>
          <Table.Th scope="col">Limit</Table.Th>
          <Table.Th scope="col">My exemption</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {data.budgets.map((b) => (
          <Table.Tr key={b.id}>
            <Table.Td>{b.scope_name}</Table.Td>
            <Table.Td>
              <Badge color={b.cap === 'hard' ? 'red' : 'gray'} variant="light">
                {b.cap}
              </Badge>
            </Table.Td>
            <Table.Td>{amount(b, b.used)}</Table.Td>
            <Table.Td>{amount(b, b.limit)}</Table.Td>
            <Table.Td>
              {b.exemption === null
                ? '—'
                : b.exemption.kind === 'lift'
                  ? 'Cap lifted'
                  : `+${formatNumber(b.exemption.tokens)} tokens`}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function RequestForm({ data, userId }: { data: MyBudget; userId: string }) {
  const client = useQueryClient();
  const [budgetId, setBudgetId] = useState<string | null>(
    data.status.budget_id ?? data.budgets.find((b) => b.cap === 'hard')?.id ?? data.budgets[0]?.id ?? null,
  );
  const [kind, setKind] = useState<'raise' | 'lift'>('raise');
  const [tokens, setTokens] = useState<number | string>(100_000);
  const [justification, setJustification] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const ask = useMutation({
    mutationFn: () =>
      requestExemption(userId, {
        budget_id: budgetId ?? '',
        raise_tokens: kind === 'raise' ? Number(tokens) : undefined,
        justification: justification.trim(),
      }),
    onSuccess: () => {
      setError(null);
      setSent(true);
      setJustification('');
      void client.invalidateQueries({ queryKey: ['my-budget'] });
    },
    onError: (e) => setError(e instanceof Error ? e.message : String(e)),
  });
  const valid = !!budgetId && (kind === 'lift' || (Number.isInteger(Number(tokens)) && Number(tokens) > 0));

  return (
    <Stack
      gap="xs"
      component="form"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) ask.mutate();
      }}
    >
      <Title order={4} size="h5">
        Request an exemption
      </Title>
      {error ? (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      ) : null}
      {sent && !error ? (
        <Alert color="teal" role="status">
          Request sent. An administrator decides; its status shows below.
        </Alert>
      ) : null}
      <Group align="end">
        <Select
          label="Budget"
          data={data.budgets.map((b) => ({ value: b.id, label: `${b.scope_name} (${b.cap} cap)` }))}
          value={budgetId}
          onChange={setBudgetId}
          allowDeselect={false}
          w={240}
        />
        <SegmentedControl
          aria-label="Exemption kind"
          value={kind}
          onChange={(v) => setKind(v as 'raise' | 'lift')}
          data={[
            { value: 'raise', label: 'Raise by' },
            { value: 'lift', label: 'Lift the cap' },
          ]}
        />
        {kind === 'raise' ? (
          <NumberInput
            label="Tokens"
            value={tokens}
            onChange={setTokens}
            min={1}
            step={10_000}
            thousandSeparator=","
            w={160}
          />
        ) : null}
      </Group>
      <Textarea
        label="Justification"
        description="Why you need more this period (your administrators read this)."
        value={justification}
        onChange={(e) => setJustification(e.currentTarget.value)}
        maxLength={2000}
        autosize
        minRows={2}
      />
      <Group>
        <Button type="submit" loading={ask.isPending} disabled={!valid}>
          Request exemption
        </Button>
      </Group>
    </Stack>
  );
}

function MyRequests({ data }: { data: MyBudget }) {
  const name = new Map(data.budgets.map((b) => [b.id, b.scope_name]));
  if (data.exemptions.length === 0)
    return (
      <Text size="sm" c="dimmed">
        You have not requested an exemption.
      </Text>
    );
  return (
    <Table data-testid="my-exemptions">
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Budget</Table.Th>
          <Table.Th scope="col">Period</Table.Th>
          <Table.Th scope="col">Asked for</Table.Th>
          <Table.Th scope="col">Status</Table.Th>
          <Table.Th scope="col">Decided</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {data.exemptions.map((e) => (
          <Table.Tr key={e.id}>
            <Table.Td>{name.get(e.budget_id) ?? 'another budget'}</Table.Td>
            <Table.Td>{e.period}</Table.Td>
            <Table.Td>
              {e.kind === 'lift' ? 'Lift the cap' : `+${formatNumber(e.raise_tokens ?? 0)} tokens`}
            </Table.Td>
            <Table.Td>
              <Badge color={STATUS_COLOR[e.status]} data-testid="exemption-status">
                {e.status}
              </Badge>
            </Table.Td>
            <Table.Td>
              {e.decided_at ? new Date(e.decided_at).toLocaleDateString() : '—'}
              {e.decision_note ? ` · ${e.decision_note}` : ''}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
