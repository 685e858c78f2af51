import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api.js';
import { formatAgo, providerName } from '../../format.js';
import { AddConnectionForm } from './add-connection-form.js';
import type { ConnectionRow, ConnectionTest } from './types.js';

const STATUS_COLOR = { pending: 'gray', healthy: 'teal', unhealthy: 'red' } as const;

/**
 * Settings → Provider Connections: the providers' admin APIs Toktra polls for reconciled usage.
 * Owners and admins only (the route requires `settings:manage`).
 */
export function ProviderConnectionsPage() {
  const client = useQueryClient();
  const [adding, setAdding] = useState(false);
  const [tests, setTests] = useState<Record<string, ConnectionTest>>({});
  const [confirming, setConfirming] = useState<ConnectionRow | null>(null);
  const connections = useQuery({
    queryKey: ['provider-connections'],
    queryFn: () => api<{ data: ConnectionRow[] }>('/v1/provider-connections'),
    // A new connection backfills in the background: watch it until every poll has reported.
    refetchInterval: (q) => (q.state.data?.data.some((c) => c.status === 'pending') ? 2000 : false),
  });
  const refresh = () => client.invalidateQueries({ queryKey: ['provider-connections'] });
  const test = useMutation({
    mutationFn: (id: string) =>
      api<ConnectionTest>(`/v1/provider-connections/${id}/test`, { method: 'POST' }),
    onSuccess: (result, id) => setTests((t) => ({ ...t, [id]: result })),
  });
  const sync = useMutation({
    mutationFn: (id: string) =>
      api<{ job_id: number }>(`/v1/provider-connections/${id}/sync`, { method: 'POST' }),
    onSuccess: () => {
      refresh();
      // The job runs in the background; look again shortly for its outcome.
      setTimeout(refresh, 3000);
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => api<void>(`/v1/provider-connections/${id}`, { method: 'DELETE' }),
    onSuccess: () => {
      setConfirming(null);
      refresh();
    },
  });
  const rows = connections.data?.data ?? [];
  const error = connections.error ?? test.error ?? sync.error ?? remove.error;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Provider Connections</Title>
        {!adding && <Button onClick={() => setAdding(true)}>Add connection</Button>}
      </Group>
      <Text c="dimmed" size="sm">
        Toktra polls each provider's admin API for the usage it billed, shown as reconciled tokens beside the
        estimates. Credentials are encrypted at rest and never shown again after saving.
      </Text>
      {error && (
        <Alert color="red" role="alert">
          {error.message}
        </Alert>
      )}
      {adding && <AddConnectionForm onDone={() => setAdding(false)} />}
      <Card withBorder>
        {rows.length === 0 ? (
          <Text c="dimmed">{connections.isPending ? 'Loading…' : 'No provider connections yet.'}</Text>
        ) : (
          <Table.ScrollContainer minWidth={820}>
            <Table verticalSpacing="sm" data-testid="connections-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Provider</Table.Th>
                  <Table.Th scope="col">Credentials</Table.Th>
                  <Table.Th scope="col" miw={110}>
                    Health
                  </Table.Th>
                  <Table.Th scope="col">Last synced</Table.Th>
                  <Table.Th scope="col">Last error</Table.Th>
                  <Table.Th scope="col">
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((c) => {
                  const result = tests[c.id];
                  return (
                    <Table.Tr key={c.id} data-testid={`connection-${c.id}`}>
                      <Table.Td>
                        <Text fw={500}>{c.name}</Text>
                        <Text size="xs" c="dimmed">
                          {providerName(c.provider)}
                          {c.base_url ? ` · ${c.base_url}` : ''}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" ff="monospace">
                          {c.credentials_hint}
                        </Text>
                      </Table.Td>
                      <Table.Td miw={110}>
                        <Badge color={STATUS_COLOR[c.status]} style={{ overflow: 'visible' }}>
                          {c.status}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <span title={c.last_synced_at ?? undefined}>{formatAgo(c.last_synced_at)}</span>
                      </Table.Td>
                      <Table.Td maw={280}>
                        <Text size="sm" c={c.last_error ? 'red.8' : 'dimmed'}>
                          {c.last_error ?? '—'}
                        </Text>
                        {result && (
                          <Text
                            size="sm"
                            mt={4}
                            c={result.ok ? 'teal.9' : 'red.8'}
                            role="status"
                            data-testid="test-result"
                          >
                            {result.ok ? '✓ ' : '✗ '}
                            {result.message}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Group gap="xs" wrap="nowrap" justify="flex-end">
                          <Button
                            size="xs"
                            variant="default"
                            loading={test.isPending && test.variables === c.id}
                            onClick={() => test.mutate(c.id)}
                          >
                            Test connection
                          </Button>
                          <Button
                            size="xs"
                            variant="default"
                            loading={sync.isPending && sync.variables === c.id}
                            onClick={() => sync.mutate(c.id)}
                          >
                            Sync now
                          </Button>
                          <Button size="xs" color="red" variant="light" onClick={() => setConfirming(c)}>
                            Delete
                          </Button>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Card>
      <Modal opened={confirming !== null} onClose={() => setConfirming(null)} title="Delete this connection?">
        <Stack>
          <Text size="sm">
            {confirming?.name}: Toktra forgets its credentials and the usage it reported. Estimates are not
            affected.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(null)}>
              Cancel
            </Button>
            <Button
              color="red"
              loading={remove.isPending}
              onClick={() => confirming && remove.mutate(confirming.id)}
            >
              Delete connection
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
