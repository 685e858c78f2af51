import { Alert, Badge, Button, Card, Select, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api.js';
import { formatAgo } from '../../format.js';
import type { DeliveryRow, EndpointRow } from './types.js';

const STATUS_COLOR = { pending: 'yellow', delivered: 'teal', dead: 'red' } as const;

/** The delivery log of one webhook endpoint, with a replay button for dead (or past) deliveries. */
export function WebhookDeliveries() {
  const client = useQueryClient();
  const endpoints = useQuery({
    queryKey: ['webhooks'],
    queryFn: () => api<{ data: EndpointRow[] }>('/v1/webhooks'),
  });
  const [selected, setSelected] = useState<string | null>(null);
  const endpointId = selected ?? endpoints.data?.data[0]?.id ?? null;
  const deliveries = useQuery({
    queryKey: ['webhook-deliveries', endpointId],
    enabled: endpointId !== null,
    queryFn: () => api<{ data: DeliveryRow[] }>(`/v1/webhooks/${endpointId}/deliveries?limit=100`),
    refetchInterval: 10_000,
  });
  const replay = useMutation({
    mutationFn: (id: string) => api<DeliveryRow>(`/v1/webhooks/deliveries/${id}/replay`, { method: 'POST' }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['webhook-deliveries'] }),
  });
  const list = endpoints.data?.data ?? [];
  if (list.length === 0) return <Text c="dimmed">No webhook endpoints. Add one with POST /v1/webhooks.</Text>;
  return (
    <Card withBorder>
      <Stack>
        <Select
          label="Endpoint"
          value={endpointId}
          onChange={setSelected}
          data={list.map((e) => ({
            value: e.id,
            label: `${e.url}${e.enabled ? '' : ` (disabled: ${e.disabled_reason ?? ''})`}`,
          }))}
        />
        {replay.error && <Alert color="red">{replay.error.message}</Alert>}
        <Table striped data-testid="deliveries-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Event</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Attempts</Table.Th>
              <Table.Th>Last answer</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(deliveries.data?.data ?? []).map((d) => (
              <Table.Tr key={d.id}>
                <Table.Td>{d.event_type}</Table.Td>
                <Table.Td>
                  <Badge color={STATUS_COLOR[d.status]}>{d.status}</Badge>
                  {d.next_attempt_at && (
                    <Text size="xs" c="dimmed">
                      next try {formatAgo(d.next_attempt_at)}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{d.attempts}</Table.Td>
                <Table.Td>{d.last_status_code ?? d.last_error ?? '—'}</Table.Td>
                <Table.Td>{formatAgo(d.created_at)}</Table.Td>
                <Table.Td>
                  {d.status !== 'pending' && (
                    <Button size="xs" variant="default" onClick={() => replay.mutate(d.id)}>
                      Replay
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Stack>
    </Card>
  );
}
