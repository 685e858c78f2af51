import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Timeline,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, query } from '../../api.js';
import { hasPermission, useMe } from '../../auth.js';
import { formatAgo } from '../../format.js';
import { type IncidentDetail, type IncidentRow, SEVERITY_COLOR } from './types.js';

const NEXT: Record<IncidentRow['status'], Array<{ status: IncidentRow['status']; label: string }>> = {
  open: [
    { status: 'acknowledged', label: 'Acknowledge' },
    { status: 'resolved', label: 'Resolve' },
  ],
  acknowledged: [{ status: 'resolved', label: 'Resolve' }],
  resolved: [{ status: 'open', label: 'Reopen' }],
};

function IncidentTimeline({ id }: { id: string }) {
  const detail = useQuery({
    queryKey: ['incident', id],
    queryFn: () => api<IncidentDetail>(`/v1/incidents/${id}`),
  });
  return (
    <Timeline bulletSize={12} lineWidth={2}>
      {(detail.data?.timeline ?? []).map((t) => (
        <Timeline.Item key={t.id} title={t.kind}>
          <Text size="xs" c="dimmed">
            {formatAgo(t.at)} · {t.actor_type}
            {typeof t.details.body === 'string' ? ` · ${t.details.body}` : ''}
          </Text>
        </Timeline.Item>
      ))}
    </Timeline>
  );
}

/** The incident tracker: open → acknowledged → resolved, with each incident's timeline. */
export function IncidentsTable() {
  const me = useMe().data;
  const client = useQueryClient();
  const [status, setStatus] = useState('open');
  const [expanded, setExpanded] = useState<string | null>(null);
  const incidents = useQuery({
    queryKey: ['incidents', status],
    queryFn: () =>
      api<{ data: IncidentRow[] }>(
        `/v1/incidents${query({ status: status === 'all' ? undefined : status, limit: '200' })}`,
      ),
    refetchInterval: 10_000,
  });
  const move = useMutation({
    mutationFn: ({ id, to }: { id: string; to: IncidentRow['status'] }) =>
      api<IncidentRow>(`/v1/incidents/${id}`, { method: 'PATCH', body: { status: to } }),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['incidents'] });
      await client.invalidateQueries({ queryKey: ['incident'] });
    },
  });
  const canManage = hasPermission(me, 'settings:manage');
  const rows = incidents.data?.data ?? [];
  return (
    <Card withBorder>
      <Stack>
        <SegmentedControl
          value={status}
          onChange={setStatus}
          data={[
            { value: 'open', label: 'Open' },
            { value: 'acknowledged', label: 'Acknowledged' },
            { value: 'resolved', label: 'Resolved' },
            { value: 'all', label: 'All' },
          ]}
        />
        {move.error && <Alert color="red">{move.error.message}</Alert>}
        {rows.length === 0 ? (
          <Text c="dimmed">No incidents.</Text>
        ) : (
          <Table data-testid="incidents-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Severity</Table.Th>
                <Table.Th>Incident</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Opened</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.flatMap((i) => [
                <Table.Tr
                  key={i.id}
                  onClick={() => setExpanded(expanded === i.id ? null : i.id)}
                  style={{ cursor: 'pointer' }}
                >
                  <Table.Td>
                    <Badge color={SEVERITY_COLOR[i.severity]}>{i.severity}</Badge>
                  </Table.Td>
                  <Table.Td>{i.title}</Table.Td>
                  <Table.Td>{i.status}</Table.Td>
                  <Table.Td>{formatAgo(i.created_at)}</Table.Td>
                  <Table.Td>
                    {canManage && (
                      <Group gap="xs" wrap="nowrap">
                        {NEXT[i.status].map((n) => (
                          <Button
                            key={n.status}
                            size="xs"
                            variant={n.status === 'resolved' ? 'filled' : 'default'}
                            onClick={(event) => {
                              event.stopPropagation();
                              move.mutate({ id: i.id, to: n.status });
                            }}
                          >
                            {n.label}
                          </Button>
                        ))}
                      </Group>
                    )}
                  </Table.Td>
                </Table.Tr>,
                expanded === i.id ? (
                  <Table.Tr key={`${i.id}-timeline`}>
                    <Table.Td colSpan={5}>
                      <IncidentTimeline id={i.id} />
                    </Table.Td>
                  </Table.Tr>
                ) : null,
              ])}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  );
}
