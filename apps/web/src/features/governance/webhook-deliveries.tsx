import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  Group,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api.js';
import { formatAgo } from '../../format.js';
import type { DeliveryRow, EndpointRow } from './types.js';

const STATUS_COLOR = { pending: 'yellow', delivered: 'teal', dead: 'red' } as const;

/** Adds an endpoint; the signing secret is shown once, here, and never again. */
function AddEndpoint() {
  const client = useQueryClient();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [shown, setShown] = useState(false);
  const problem =
    url.length < 8 || url.length > 2000 || !/^https?:\/\//.test(url)
      ? 'An http(s) URL of 8–2,000 characters'
      : undefined;
  const add = useMutation({
    mutationFn: () =>
      api<EndpointRow & { secret: string }>('/v1/webhooks', {
        method: 'POST',
        body: { url, ...(description ? { description } : {}) },
      }),
    onSuccess: async () => {
      setUrl('');
      setDescription('');
      setShown(false);
      await client.invalidateQueries({ queryKey: ['webhooks'] });
    },
  });
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Text fw={600}>Add an endpoint</Text>
        <Group align="flex-start">
          <TextInput
            label="URL"
            placeholder="https://hooks.example.com/toktra"
            w={380}
            value={url}
            onChange={(e) => setUrl(e.currentTarget.value)}
            error={shown ? problem : undefined}
          />
          <TextInput
            label="Description"
            w={260}
            maxLength={500}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
          />
          <Button
            mt={25}
            loading={add.isPending}
            onClick={() => {
              setShown(true);
              if (!problem) add.mutate();
            }}
          >
            Add endpoint
          </Button>
        </Group>
        {add.error && <Alert color="red">{add.error.message}</Alert>}
        {add.data && (
          <Alert color="teal" title="Endpoint added: copy its signing secret now, it is not shown again">
            <Code data-testid="webhook-secret">{add.data.secret}</Code>
          </Alert>
        )}
      </Stack>
    </Card>
  );
}

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
  if (endpoints.isPending) return <Text c="dimmed">Loading endpoints…</Text>;
  if (list.length === 0)
    return (
      <Stack>
        <AddEndpoint />
        <Text c="dimmed">No webhook endpoints yet.</Text>
      </Stack>
    );
  return (
    <Stack>
      <AddEndpoint />
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
    </Stack>
  );
}
