import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  MultiSelect,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { api } from '../../api.js';
import { formatAgo } from '../../format.js';
import {
  type AlertChannel,
  type Installation,
  SEVERITIES,
  type Severity,
  type SlackChannel,
  type SlackDelivery,
} from './types.js';

/** Install to Slack, connected workspaces, alert channels with severity filters, delivery log. */
export function SlackSettings() {
  const client = useQueryClient();
  const [params] = useSearchParams();
  const installs = useQuery({
    queryKey: ['slack-installations'],
    queryFn: () => api<{ data: Installation[] }>('/v1/slack/installations'),
  });
  const install = useMutation({
    mutationFn: () => api<{ authorize_url: string }>('/v1/slack/install', { method: 'POST' }),
    onSuccess: (r) => window.location.assign(r.authorize_url),
  });
  const disconnect = useMutation({
    mutationFn: (id: string) => api(`/v1/slack/installations/${id}`, { method: 'DELETE' }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['slack-installations'] }),
  });
  const live = (installs.data?.data ?? []).filter((i) => !i.uninstalled_at);
  return (
    <Stack>
      {params.get('installed') && (
        <Alert color="teal">Slack workspace {params.get('installed')} connected.</Alert>
      )}
      {params.get('error') && <Alert color="red">Slack install cancelled: {params.get('error')}</Alert>}
      {install.error && <Alert color="red">{install.error.message}</Alert>}
      <Card withBorder>
        <Group justify="space-between">
          <Title order={4}>Workspaces</Title>
          <Button onClick={() => install.mutate()} loading={install.isPending}>
            Install to Slack
          </Button>
        </Group>
        <Table mt="sm" data-testid="slack-workspaces">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Workspace</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Installed</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(installs.data?.data ?? []).map((i) => (
              <Table.Tr key={i.id}>
                <Table.Td>
                  {i.team_name || i.team_id}{' '}
                  <Text span c="dimmed" size="xs">
                    {i.team_id}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge color={i.uninstalled_at ? 'gray' : 'teal'}>
                    {i.uninstalled_at ? 'disconnected' : 'connected'}
                  </Badge>
                </Table.Td>
                <Table.Td>{formatAgo(i.installed_at)}</Table.Td>
                <Table.Td>
                  {!i.uninstalled_at && (
                    <Button size="xs" variant="default" color="red" onClick={() => disconnect.mutate(i.id)}>
                      Disconnect
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
      <AlertChannels installations={live} />
      <DeliveryLog />
    </Stack>
  );
}

function AlertChannels({ installations }: { installations: Installation[] }) {
  const client = useQueryClient();
  const channels = useQuery({
    queryKey: ['slack-alert-channels'],
    queryFn: () => api<{ data: AlertChannel[] }>('/v1/slack/alert-channels'),
  });
  const [workspace, setWorkspace] = useState<string | null>(null);
  const installationId = workspace ?? installations[0]?.id ?? null;
  const picker = useQuery({
    queryKey: ['slack-channels', installationId],
    enabled: installationId !== null,
    queryFn: () => api<{ data: SlackChannel[] }>(`/v1/slack/installations/${installationId}/channels`),
  });
  const [channel, setChannel] = useState<string | null>(null);
  const [typed, setTyped] = useState('');
  const [severities, setSeverities] = useState<string[]>(['high', 'critical']);
  const save = useMutation({
    mutationFn: () => {
      const chosen = picker.data?.data.find((c) => c.id === channel);
      return api('/v1/slack/alert-channels', {
        method: 'PUT',
        body: {
          installation_id: installationId,
          channel_id: chosen?.id ?? typed.trim(),
          channel_name: chosen?.name,
          severities,
        },
      });
    },
    onSuccess: () => client.invalidateQueries({ queryKey: ['slack-alert-channels'] }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api(`/v1/slack/alert-channels/${id}`, { method: 'DELETE' }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['slack-alert-channels'] }),
  });
  return (
    <Card withBorder>
      <Title order={4}>Alert channels</Title>
      <Text size="sm" c="dimmed">
        Alerts go to every channel whose severity filter matches. Invite the Toktra app to private channels
        first.
      </Text>
      {installations.length === 0 ? (
        <Text mt="sm">Install Toktra in a Slack workspace to route alerts.</Text>
      ) : (
        <Group align="end" mt="sm">
          <Select
            label="Workspace"
            value={installationId}
            onChange={setWorkspace}
            data={installations.map((i) => ({ value: i.id, label: i.team_name || i.team_id }))}
          />
          <Select
            label="Channel"
            searchable
            clearable
            value={channel}
            onChange={setChannel}
            data={(picker.data?.data ?? []).map((c) => ({
              value: c.id,
              label: `${c.is_private ? '🔒' : '#'}${c.name}`,
            }))}
          />
          <TextInput
            label="…or channel id"
            placeholder="C0123456"
            value={typed}
            onChange={(e) => setTyped(e.currentTarget.value)}
          />
          <MultiSelect label="Severities" data={SEVERITIES} value={severities} onChange={setSeverities} />
          <Button onClick={() => save.mutate()} loading={save.isPending} disabled={severities.length === 0}>
            Save
          </Button>
        </Group>
      )}
      {save.error && (
        <Alert color="red" mt="sm">
          {save.error.message}
        </Alert>
      )}
      <Table mt="sm" data-testid="slack-alert-channels">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Channel</Table.Th>
            <Table.Th>Severities</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(channels.data?.data ?? []).map((c) => (
            <Table.Tr key={c.id}>
              <Table.Td>{c.channel_name ? `#${c.channel_name}` : c.channel_id}</Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {c.severities.map((s: Severity) => (
                    <Badge key={s} variant="light">
                      {s}
                    </Badge>
                  ))}
                </Group>
              </Table.Td>
              <Table.Td>
                <Button size="xs" variant="default" onClick={() => remove.mutate(c.id)}>
                  Remove
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

const STATUS_COLOR = { pending: 'yellow', sent: 'teal', failed: 'red' } as const;

function DeliveryLog() {
  const log = useQuery({
    queryKey: ['slack-deliveries'],
    queryFn: () => api<{ data: SlackDelivery[] }>('/v1/slack/deliveries?limit=50'),
    refetchInterval: 15_000,
  });
  return (
    <Card withBorder>
      <Title order={4}>Recent Slack messages</Title>
      <Table mt="sm" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Kind</Table.Th>
            <Table.Th>Channel</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Attempts</Table.Th>
            <Table.Th>Last error</Table.Th>
            <Table.Th>Created</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(log.data?.data ?? []).map((d) => (
            <Table.Tr key={d.id}>
              <Table.Td>{d.kind}</Table.Td>
              <Table.Td>{d.channel_id ?? '—'}</Table.Td>
              <Table.Td>
                <Badge color={STATUS_COLOR[d.status]}>{d.status}</Badge>
              </Table.Td>
              <Table.Td>{d.attempts}</Table.Td>
              <Table.Td>{d.last_error ?? '—'}</Table.Td>
              <Table.Td>{formatAgo(d.created_at)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}
