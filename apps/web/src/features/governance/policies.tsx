import { Alert, Badge, Button, Card, Group, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api.js';
import { hasPermission, useMe } from '../../auth.js';
import { formatAgo, formatNumber } from '../../format.js';
import { type PolicyRow, type PolicyTest, SEVERITY_COLOR } from './types.js';

const STATUS_COLOR = { draft: 'gray', published: 'teal', disabled: 'dark' } as const;

/**
 * Policies and their lifecycle: test against the last 30 days, publish, disable. Policies are
 * authored through the API (`POST /v1/policies`); this page runs the lifecycle.
 */
export function PoliciesTable() {
  const me = useMe().data;
  const client = useQueryClient();
  const [tests, setTests] = useState<Record<string, PolicyTest>>({});
  const policies = useQuery({
    queryKey: ['policies'],
    queryFn: () => api<{ data: PolicyRow[] }>('/v1/policies'),
  });
  const act = useMutation({
    mutationFn: ({ id, verb }: { id: string; verb: 'publish' | 'disable' }) =>
      api<PolicyRow>(`/v1/policies/${id}/${verb}`, {
        method: 'POST',
        ...(verb === 'publish' ? { body: {} } : {}),
      }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['policies'] }),
  });
  const test = useMutation({
    mutationFn: (id: string) =>
      api<PolicyTest>(`/v1/policies/${id}/test`, { method: 'POST', body: { window_days: 30, examples: 3 } }),
    onSuccess: (result, id) => setTests((t) => ({ ...t, [id]: result })),
  });
  const canManage = hasPermission(me, 'settings:manage');
  const rows = policies.data?.data ?? [];
  return (
    <Card withBorder>
      <Stack>
        {(act.error ?? test.error) && <Alert color="red">{(act.error ?? test.error)?.message}</Alert>}
        {rows.length === 0 ? (
          <Text c="dimmed">No policies yet. Create one with POST /v1/policies.</Text>
        ) : (
          <Table striped data-testid="policies-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Policy</Table.Th>
                <Table.Th>Trigger</Table.Th>
                <Table.Th>Actions</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Last 30 days</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((p) => {
                const result = tests[p.id];
                return (
                  <Table.Tr key={p.id}>
                    <Table.Td>
                      <Group gap="xs">
                        <Badge color={SEVERITY_COLOR[p.severity]}>{p.severity}</Badge>
                        <Text fw={500}>{p.name}</Text>
                      </Group>
                      <Text size="xs" c="dimmed">
                        v{p.current_version}
                        {p.published_version ? ` · running v${p.published_version}` : ''} · edited{' '}
                        {formatAgo(p.updated_at)}
                      </Text>
                    </Table.Td>
                    <Table.Td>{p.trigger.type.replaceAll('_', ' ')}</Table.Td>
                    <Table.Td>{p.actions.map((a) => a.type.replaceAll('_', ' ')).join(', ')}</Table.Td>
                    <Table.Td>
                      <Badge color={STATUS_COLOR[p.status]}>{p.status}</Badge>
                      {p.has_unpublished_changes && p.status !== 'draft' && (
                        <Text size="xs" c="dimmed">
                          unpublished changes
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      {result
                        ? `would fire ${formatNumber(result.would_fire)}× (${formatNumber(result.matched)} of ${formatNumber(result.evaluated)} matched)`
                        : '—'}
                    </Table.Td>
                    <Table.Td>
                      {canManage && (
                        <Group gap="xs" wrap="nowrap">
                          <Button
                            size="xs"
                            variant="default"
                            loading={test.isPending && test.variables === p.id}
                            onClick={() => test.mutate(p.id)}
                          >
                            Test
                          </Button>
                          {(p.status !== 'published' || p.has_unpublished_changes) && (
                            <Button size="xs" onClick={() => act.mutate({ id: p.id, verb: 'publish' })}>
                              Publish
                            </Button>
                          )}
                          {p.status === 'published' && (
                            <Button
                              size="xs"
                              variant="default"
                              onClick={() => act.mutate({ id: p.id, verb: 'disable' })}
                            >
                              Disable
                            </Button>
                          )}
                        </Group>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  );
}
