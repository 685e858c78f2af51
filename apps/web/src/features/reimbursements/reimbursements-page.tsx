import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  NumberInput,
  Stack,
  Table,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { api } from '../../api.js';
import { hasPermission, useMe } from '../../auth.js';
import { formatAgo } from '../../format.js';

interface Reimbursement {
  id: string;
  user_email: string;
  user_name: string;
  amount: number;
  currency: string;
  period: string;
  note: string;
  status: 'submitted' | 'approved' | 'rejected';
  decided_at: string | null;
  created_at: string;
}

const STATUS_COLOR = { submitted: 'yellow', approved: 'teal', rejected: 'red' } as const;
const money = (r: Reimbursement) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency: r.currency }).format(r.amount);
const thisMonth = () => new Date().toISOString().slice(0, 7);

/** Reimbursements: my requests (submit from the portal) and Approvals (for approvers and admins). */
export function ReimbursementsPage() {
  const location = useLocation();
  const navigate = useNavigate();
  const active = location.pathname.startsWith('/reimbursements/approvals') ? 'approvals' : 'mine';
  return (
    <Stack>
      <Title order={2}>Reimbursements</Title>
      <Tabs
        value={active}
        onChange={(v) => navigate(v === 'approvals' ? '/reimbursements/approvals' : '/reimbursements')}
      >
        <Tabs.List>
          <Tabs.Tab value="mine">My requests</Tabs.Tab>
          <Tabs.Tab value="approvals">Approvals</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="mine" pt="md">
          {active === 'mine' && <MyRequests />}
        </Tabs.Panel>
        <Tabs.Panel value="approvals" pt="md">
          {active === 'approvals' && <Approvals />}
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function RequestTable({
  rows,
  actions,
}: {
  rows: Reimbursement[];
  actions?: (r: Reimbursement) => React.ReactNode;
}) {
  if (rows.length === 0) return <Text c="dimmed">Nothing here.</Text>;
  return (
    <Table striped data-testid="reimbursements-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Employee</Table.Th>
          <Table.Th>Amount</Table.Th>
          <Table.Th>Period</Table.Th>
          <Table.Th>Note</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Submitted</Table.Th>
          {actions && <Table.Th />}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={r.id}>
            <Table.Td>{r.user_name || r.user_email}</Table.Td>
            <Table.Td>{money(r)}</Table.Td>
            <Table.Td>{r.period}</Table.Td>
            <Table.Td>{r.note || '—'}</Table.Td>
            <Table.Td>
              <Badge color={STATUS_COLOR[r.status]}>{r.status}</Badge>
            </Table.Td>
            <Table.Td>{formatAgo(r.created_at)}</Table.Td>
            {actions && <Table.Td>{actions(r)}</Table.Td>}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function MyRequests() {
  const client = useQueryClient();
  const mine = useQuery({
    queryKey: ['reimbursements', 'mine'],
    queryFn: () => api<{ data: Reimbursement[] }>('/v1/reimbursements?scope=mine'),
  });
  const [amount, setAmount] = useState<number | string>('');
  const [currency, setCurrency] = useState('USD');
  const [period, setPeriod] = useState(thisMonth());
  const [note, setNote] = useState('');
  const submit = useMutation({
    mutationFn: () =>
      api('/v1/reimbursements', { method: 'POST', body: { amount: Number(amount), currency, period, note } }),
    onSuccess: () => {
      setAmount('');
      setNote('');
      void client.invalidateQueries({ queryKey: ['reimbursements'] });
    },
  });
  return (
    <Stack>
      <Card withBorder>
        <Title order={4}>Request a reimbursement</Title>
        <Text size="sm" c="dimmed">
          For AI tools you paid for personally and used for work. Your manager (or an admin) approves it.
        </Text>
        <Group align="end" mt="sm">
          <NumberInput label="Amount" min={0.01} decimalScale={2} value={amount} onChange={setAmount} />
          <TextInput
            label="Currency"
            maxLength={3}
            value={currency}
            onChange={(e) => setCurrency(e.currentTarget.value.toUpperCase())}
          />
          <TextInput
            label="Period (YYYY-MM)"
            value={period}
            onChange={(e) => setPeriod(e.currentTarget.value)}
          />
          <Textarea label="Note" autosize value={note} onChange={(e) => setNote(e.currentTarget.value)} />
          <Button onClick={() => submit.mutate()} loading={submit.isPending} disabled={!amount}>
            Submit
          </Button>
        </Group>
        {submit.error && (
          <Alert color="red" mt="sm">
            {submit.error.message}
          </Alert>
        )}
      </Card>
      <RequestTable rows={mine.data?.data ?? []} />
    </Stack>
  );
}

function Approvals() {
  const client = useQueryClient();
  const me = useMe().data;
  const [period, setPeriod] = useState(thisMonth());
  const pending = useQuery({
    queryKey: ['reimbursements', 'approvals'],
    queryFn: () => api<{ data: Reimbursement[] }>('/v1/reimbursements?scope=approvals&status=submitted'),
  });
  const decide = useMutation({
    mutationFn: ({ id, verb }: { id: string; verb: 'approve' | 'reject' }) =>
      api(`/v1/reimbursements/${id}/${verb}`, { method: 'POST', body: {} }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['reimbursements'] }),
  });
  return (
    <Stack>
      {decide.error && <Alert color="red">{decide.error.message}</Alert>}
      <RequestTable
        rows={pending.data?.data ?? []}
        actions={(r) => (
          <Group gap="xs">
            <Button size="xs" onClick={() => decide.mutate({ id: r.id, verb: 'approve' })}>
              Approve
            </Button>
            <Button
              size="xs"
              color="red"
              variant="default"
              onClick={() => decide.mutate({ id: r.id, verb: 'reject' })}
            >
              Reject
            </Button>
          </Group>
        )}
      />
      {hasPermission(me, 'settings:manage') && (
        <Card withBorder>
          <Title order={4}>Payroll export</Title>
          <Group align="end" mt="sm">
            <TextInput
              label="Period (YYYY-MM)"
              value={period}
              onChange={(e) => setPeriod(e.currentTarget.value)}
            />
            <Button
              component="a"
              href={`/v1/reimbursements/payroll-export?period=${encodeURIComponent(period)}`}
            >
              Download CSV
            </Button>
          </Group>
        </Card>
      )}
    </Stack>
  );
}
