import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
  type DataRequest,
  daysUntil,
  executeErasure,
  fulfilAccess,
  KIND_LABEL,
  listQueue,
} from './data-requests-api.js';

function DueBadge({ request }: { request: DataRequest }) {
  if (request.status !== 'open') return <Badge color="teal">{request.outcome ?? request.status}</Badge>;
  const days = daysUntil(request.due_at);
  if (request.overdue) return <Badge color="red">overdue</Badge>;
  return <Badge color={days <= 2 ? 'red' : days <= 7 ? 'orange' : 'blue'}>{`due in ${days} d`}</Badge>;
}

/**
 * The admin queue of data subject requests: open ones first, the most urgent on top. Access is
 * fulfilled by exporting everything about the person; erasure runs only after typing ERASE.
 */
export function DataRequestsPage() {
  const client = useQueryClient();
  const queue = useQuery({ queryKey: ['data-requests', 'queue'], queryFn: listQueue });
  const [confirming, setConfirming] = useState<DataRequest | null>(null);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | null>(null);
  const done = () => {
    setError(null);
    void client.invalidateQueries({ queryKey: ['data-requests'] });
  };
  const fulfil = useMutation({
    mutationFn: fulfilAccess,
    onSuccess: done,
    onError: (e) => setError(String(e)),
  });
  const erase = useMutation({
    mutationFn: executeErasure,
    onSuccess: () => {
      setConfirming(null);
      setTyped('');
      done();
    },
    onError: (e) => setError(String(e)),
  });
  const rows = queue.data?.data ?? [];
  return (
    <Stack>
      <Title order={2}>Data requests</Title>
      <Text c="dimmed" size="sm">
        Access and erasure requests from employees (GDPR: 30 days, CCPA: 45 days). Reminders are raised as
        alerts 7 and 2 days before the due date, and an overdue alert after it.
      </Text>
      {error && <Alert color="red">{error}</Alert>}
      <Card withBorder>
        <Table data-testid="data-request-queue">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Person</Table.Th>
              <Table.Th scope="col">Request</Table.Th>
              <Table.Th scope="col">Law</Table.Th>
              <Table.Th scope="col">Submitted</Table.Th>
              <Table.Th scope="col">Due</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col">Action</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>
                  {r.subject ? (
                    `${r.subject.name} <${r.subject.email}>`
                  ) : (
                    <Text c="dimmed">erased ({r.pseudonym.slice(0, 8)})</Text>
                  )}
                </Table.Td>
                <Table.Td>{KIND_LABEL[r.kind].replace('my', 'their')}</Table.Td>
                <Table.Td>{r.regime.toUpperCase()}</Table.Td>
                <Table.Td>{r.submitted_at.slice(0, 10)}</Table.Td>
                <Table.Td>{r.due_at.slice(0, 10)}</Table.Td>
                <Table.Td>
                  <DueBadge request={r} />
                </Table.Td>
                <Table.Td>
                  {r.status === 'open' && r.kind === 'access' && (
                    <Button size="xs" onClick={() => fulfil.mutate(r.id)} loading={fulfil.isPending}>
                      Export data
                    </Button>
                  )}
                  {r.status === 'open' && r.kind === 'erasure' && (
                    <Button size="xs" color="red" onClick={() => setConfirming(r)}>
                      Erase…
                    </Button>
                  )}
                  {r.export_available && (
                    <Group gap="xs">
                      <Anchor href={`/v1/data-requests/${r.id}/export?format=json`} size="sm">
                        JSON
                      </Anchor>
                      <Anchor href={`/v1/data-requests/${r.id}/export?format=csv`} size="sm">
                        CSV
                      </Anchor>
                    </Group>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {rows.length === 0 && (
          <Text c="dimmed" size="sm" p="sm">
            No data requests.
          </Text>
        )}
      </Card>
      <Modal opened={!!confirming} onClose={() => setConfirming(null)} title="Erase this person’s data?">
        <Stack>
          <Text size="sm">
            This deletes or irreversibly pseudonymises {confirming?.subject?.name ?? 'this person'} in every
            table and file, including their account. It cannot be undone. Type ERASE to confirm.
          </Text>
          <TextInput label="Confirmation" value={typed} onChange={(e) => setTyped(e.currentTarget.value)} />
          <Button
            color="red"
            disabled={typed !== 'ERASE'}
            loading={erase.isPending}
            onClick={() => confirming && erase.mutate(confirming.id)}
          >
            Erase permanently
          </Button>
        </Stack>
      </Modal>
    </Stack>
  );
}
