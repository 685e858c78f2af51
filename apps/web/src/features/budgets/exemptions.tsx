import { Alert, Badge, Button, Card, Group, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api, type Directory } from '../../api.js';
import { hasPermission, useMe } from '../../auth.js';
import { formatAgo, formatNumber } from '../../format.js';
import type { Exemption } from './types.js';

const STATUS_COLOR = { requested: 'yellow', approved: 'teal', rejected: 'gray' } as const;

/** Exemption requests; admins approve or reject (each step lands in the audit trail). */
export function ExemptionsTable() {
  const me = useMe().data;
  const queryClient = useQueryClient();
  const [status, setStatus] = useState('requested');
  const exemptions = useQuery({
    queryKey: ['exemptions', status],
    queryFn: () => api<{ data: Exemption[] }>(`/v1/exemptions${status === 'all' ? '' : `?status=${status}`}`),
    refetchInterval: 10_000,
  });
  const directory = useQuery({
    queryKey: ['directory'],
    queryFn: () => api<Directory>('/v1/overview/directory'),
    staleTime: 5 * 60_000,
  });
  const users = useMemo(
    () => new Map(directory.data?.users.map((u) => [u.id, u.name]) ?? []),
    [directory.data],
  );
  const decide = useMutation({
    mutationFn: ({ id, verb }: { id: string; verb: 'approve' | 'reject' }) =>
      api<Exemption>(`/v1/exemptions/${id}/${verb}`, { method: 'POST' }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['exemptions'] });
      await queryClient.invalidateQueries({ queryKey: ['budgets'] });
    },
  });
  const canDecide = hasPermission(me, 'settings:manage');
  const rows = exemptions.data?.data ?? [];
  return (
    <Card withBorder>
      <Stack>
        <SegmentedControl
          value={status}
          onChange={setStatus}
          data={[
            { value: 'requested', label: 'Pending' },
            { value: 'approved', label: 'Approved' },
            { value: 'rejected', label: 'Rejected' },
            { value: 'all', label: 'All' },
          ]}
        />
        {decide.error && <Alert color="red">{decide.error.message}</Alert>}
        {rows.length === 0 ? (
          <Text c="dimmed">No exemption requests.</Text>
        ) : (
          <Table striped data-testid="exemptions-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>User</Table.Th>
                <Table.Th>Period</Table.Th>
                <Table.Th>Request</Table.Th>
                <Table.Th>Justification</Table.Th>
                <Table.Th>Requested</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td>{users.get(e.user_id) ?? e.user_id}</Table.Td>
                  <Table.Td>{e.period}</Table.Td>
                  <Table.Td>
                    {e.kind === 'lift' ? 'Lift the cap' : `+${formatNumber(e.raise_tokens ?? 0)} tokens`}
                  </Table.Td>
                  <Table.Td>{e.justification || '—'}</Table.Td>
                  <Table.Td>{formatAgo(e.created_at)}</Table.Td>
                  <Table.Td>
                    <Badge color={STATUS_COLOR[e.status]}>{e.status}</Badge>
                  </Table.Td>
                  <Table.Td>
                    {canDecide && e.status === 'requested' && (
                      <Group gap="xs" wrap="nowrap">
                        <Button size="xs" onClick={() => decide.mutate({ id: e.id, verb: 'approve' })}>
                          Approve
                        </Button>
                        <Button
                          size="xs"
                          variant="default"
                          onClick={() => decide.mutate({ id: e.id, verb: 'reject' })}
                        >
                          Reject
                        </Button>
                      </Group>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  );
}
