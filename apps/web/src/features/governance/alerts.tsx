import { Alert, Badge, Button, Card, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, query } from '../../api.js';
import { hasPermission, useMe } from '../../auth.js';
import { formatAgo } from '../../format.js';
import { type AlertRow, SEVERITY_COLOR } from './types.js';

/** Alerts raised by policies, budgets and webhook failures; admins acknowledge them. */
export function AlertsTable() {
  const me = useMe().data;
  const client = useQueryClient();
  const [status, setStatus] = useState('open');
  const alerts = useQuery({
    queryKey: ['alerts', status],
    queryFn: () =>
      api<{ data: AlertRow[] }>(
        `/v1/alerts${query({ status: status === 'all' ? undefined : status, limit: '200' })}`,
      ),
    refetchInterval: 10_000,
  });
  const ack = useMutation({
    mutationFn: (id: string) => api<AlertRow>(`/v1/alerts/${id}/acknowledge`, { method: 'POST' }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['alerts'] }),
  });
  const rows = alerts.data?.data ?? [];
  return (
    <Card withBorder>
      <Stack>
        <SegmentedControl
          value={status}
          onChange={setStatus}
          data={[
            { value: 'open', label: 'Open' },
            { value: 'acknowledged', label: 'Acknowledged' },
            { value: 'all', label: 'All' },
          ]}
        />
        {ack.error && <Alert color="red">{ack.error.message}</Alert>}
        {rows.length === 0 ? (
          <Text c="dimmed">No alerts.</Text>
        ) : (
          <Table striped data-testid="alerts-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Severity</Table.Th>
                <Table.Th>Alert</Table.Th>
                <Table.Th>Source</Table.Th>
                <Table.Th>Raised</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((a) => (
                <Table.Tr key={a.id}>
                  <Table.Td>
                    <Badge color={SEVERITY_COLOR[a.severity]}>{a.severity}</Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text fw={500}>{a.title}</Text>
                    <Text size="sm" c="dimmed">
                      {a.body}
                    </Text>
                  </Table.Td>
                  <Table.Td>{a.source}</Table.Td>
                  <Table.Td>{formatAgo(a.created_at)}</Table.Td>
                  <Table.Td>
                    {a.status === 'open' && hasPermission(me, 'settings:manage') ? (
                      <Button size="xs" onClick={() => ack.mutate(a.id)}>
                        Acknowledge
                      </Button>
                    ) : (
                      a.acknowledged_at && <Text size="sm">acknowledged {formatAgo(a.acknowledged_at)}</Text>
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
