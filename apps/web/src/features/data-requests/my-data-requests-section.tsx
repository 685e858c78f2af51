import { Alert, Anchor, Badge, Button, Card, Group, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
  type DataRequestKind,
  type DataRequestRegime,
  KIND_LABEL,
  listMyRequests,
  REGIME_LABEL,
  submitRequest,
} from './data-requests-api.js';

/**
 * "My data" in the employee portal: ask for a copy (access) or the erasure of everything Toktra
 * holds about me, under GDPR or CCPA, and follow the request to its due date.
 */
export function MyDataRequestsSection() {
  const client = useQueryClient();
  const requests = useQuery({ queryKey: ['data-requests', 'me'], queryFn: listMyRequests });
  const [kind, setKind] = useState<DataRequestKind>('access');
  const [regime, setRegime] = useState<DataRequestRegime>('gdpr');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = useMutation({
    mutationFn: () => submitRequest(kind, regime),
    onSuccess: (r) => {
      setMessage({ ok: true, text: `Request sent. It is due by ${r.due_at.slice(0, 10)}.` });
      void client.invalidateQueries({ queryKey: ['data-requests', 'me'] });
    },
    onError: (e) => setMessage({ ok: false, text: e instanceof Error ? e.message : String(e) }),
  });
  const rows = requests.data?.data ?? [];
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="my-data">
      <Title order={3} size="h4" id="my-data" mb="xs">
        My data requests
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Ask for a copy of everything Toktra holds about you (CSV and JSON), or for its erasure. Your
        administrators must answer within 30 days (GDPR) or 45 days (CCPA). Erasure also removes your account.
      </Text>
      <Stack gap="sm">
        <Group align="end">
          <Select
            label="Request"
            data={(['access', 'erasure'] as const).map((k) => ({ value: k, label: KIND_LABEL[k] }))}
            value={kind}
            onChange={(v) => v && setKind(v as DataRequestKind)}
            allowDeselect={false}
          />
          <Select
            label="Under"
            data={(['gdpr', 'ccpa'] as const).map((r) => ({ value: r, label: REGIME_LABEL[r] }))}
            value={regime}
            onChange={(v) => v && setRegime(v as DataRequestRegime)}
            allowDeselect={false}
          />
          <Button onClick={() => submit.mutate()} loading={submit.isPending}>
            Submit request
          </Button>
        </Group>
        {message && (
          <Alert color={message.ok ? 'teal' : 'red'} role="status">
            {message.text}
          </Alert>
        )}
        <Table data-testid="my-data-requests">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Request</Table.Th>
              <Table.Th scope="col">Law</Table.Th>
              <Table.Th scope="col">Submitted</Table.Th>
              <Table.Th scope="col">Due</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={5}>
                  <Text size="sm" c="dimmed">
                    No requests yet.
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
            {rows.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>{KIND_LABEL[r.kind]}</Table.Td>
                <Table.Td>{r.regime.toUpperCase()}</Table.Td>
                <Table.Td>{r.submitted_at.slice(0, 10)}</Table.Td>
                <Table.Td>{r.due_at.slice(0, 10)}</Table.Td>
                <Table.Td>
                  <Group gap="xs">
                    <Badge color={r.status === 'open' ? (r.overdue ? 'red' : 'blue') : 'teal'}>
                      {r.status === 'open' ? (r.overdue ? 'overdue' : 'open') : (r.outcome ?? r.status)}
                    </Badge>
                    {r.export_available && (
                      <>
                        <Anchor href={`/v1/me/data-requests/${r.id}/export?format=json`} size="sm">
                          JSON
                        </Anchor>
                        <Anchor href={`/v1/me/data-requests/${r.id}/export?format=csv`} size="sm">
                          CSV
                        </Anchor>
                      </>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Stack>
    </Card>
  );
}
