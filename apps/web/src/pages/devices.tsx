import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  CopyButton,
  Group,
  Modal,
  NumberInput,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api, type Device, type Directory } from '../api.js';
import { hasPermission, useMe } from '../auth.js';
import { BrowsersSection } from '../features/extension/browsers-section.js';
import { formatAgo } from '../format.js';

function EnrollModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const [uses, setUses] = useState<number>(10);
  const create = useMutation({
    mutationFn: () =>
      api<{ token: string; expires_at: string }>('/v1/overview/enroll-tokens', {
        method: 'POST',
        body: { max_uses: uses, ttl_hours: 24 },
      }),
  });
  const command = create.data
    ? `npx toktra agent enroll --server ${window.location.origin} --token ${create.data.token}`
    : '';
  const close = () => {
    create.reset();
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title="Enroll devices" size="lg">
      {create.data ? (
        <Stack>
          <Text size="sm">
            Run this on each device (valid for 24 hours, up to {uses} devices). It is shown once.
          </Text>
          <Code block data-testid="enroll-command">
            {command}
          </Code>
          <Group justify="space-between">
            <Text size="xs" c="dimmed">
              Expires {new Date(create.data.expires_at).toLocaleString()}
            </Text>
            <CopyButton value={command}>
              {({ copied, copy }) => (
                <Button onClick={copy} color={copied ? 'teal' : undefined}>
                  {copied ? 'Copied' : 'Copy command'}
                </Button>
              )}
            </CopyButton>
          </Group>
        </Stack>
      ) : (
        <Stack>
          <Text size="sm">
            An enrollment token lets devices join your organization. Each device gets its own certificate.
          </Text>
          <NumberInput
            label="Devices this token may enroll"
            min={1}
            max={10000}
            value={uses}
            onChange={(v) => setUses(typeof v === 'number' ? v : 1)}
          />
          {create.error && <Alert color="red">{create.error.message}</Alert>}
          <Button onClick={() => create.mutate()} loading={create.isPending}>
            Create enrollment token
          </Button>
        </Stack>
      )}
    </Modal>
  );
}

export function DevicesPage() {
  const me = useMe().data;
  const queryClient = useQueryClient();
  const [enrolling, setEnrolling] = useState(false);
  const [revoking, setRevoking] = useState<Device | null>(null);
  const devices = useQuery({
    queryKey: ['devices'],
    queryFn: () => api<{ data: Device[] }>('/v1/devices?limit=500'),
  });
  const directory = useQuery({
    queryKey: ['directory'],
    queryFn: () => api<Directory>('/v1/overview/directory'),
    staleTime: 5 * 60_000,
  });
  const users = useMemo(() => new Map(directory.data?.users.map((u) => [u.id, u]) ?? []), [directory.data]);
  const revoke = useMutation({
    mutationFn: (id: string) => api<Device>(`/v1/devices/${id}/revoke`, { method: 'POST' }),
    onSuccess: async () => {
      setRevoking(null);
      await queryClient.invalidateQueries({ queryKey: ['devices'] });
      await queryClient.invalidateQueries({ queryKey: ['overview'] });
    },
  });
  const canRevoke = hasPermission(me, 'devices:revoke');
  const rows = [...(devices.data?.data ?? [])].sort(
    (a, b) =>
      (b.last_seen_at ?? '').localeCompare(a.last_seen_at ?? '') || a.hostname.localeCompare(b.hostname),
  );

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Devices</Title>
        {hasPermission(me, 'enroll_tokens:create') && (
          <Button onClick={() => setEnrolling(true)}>Enroll devices</Button>
        )}
      </Group>
      {devices.error && <Alert color="red">Could not load devices: {devices.error.message}</Alert>}
      <Card withBorder padding="md">
        <Table.ScrollContainer minWidth={800}>
          <Table striped highlightOnHover verticalSpacing="xs" data-testid="devices-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Device</Table.Th>
                <Table.Th scope="col">Owner</Table.Th>
                <Table.Th scope="col">OS</Table.Th>
                <Table.Th scope="col">Agent</Table.Th>
                <Table.Th scope="col">Last seen</Table.Th>
                <Table.Th scope="col">Protected</Table.Th>
                <Table.Th scope="col">Privacy Hours</Table.Th>
                {canRevoke && (
                  <Table.Th scope="col">
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                )}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((device) => {
                const owner = device.owner_user_id ? users.get(device.owner_user_id) : undefined;
                return (
                  <Table.Tr key={device.id} data-device={device.hostname}>
                    <Table.Td fw={500}>{device.hostname}</Table.Td>
                    <Table.Td>{owner?.name ?? '—'}</Table.Td>
                    <Table.Td>{device.os ?? '—'}</Table.Td>
                    <Table.Td>{device.agent_version ?? '—'}</Table.Td>
                    <Table.Td>{formatAgo(device.last_seen_at)}</Table.Td>
                    <Table.Td>
                      {device.status === 'revoked' ? (
                        <Badge color="gray">Revoked</Badge>
                      ) : device.protected ? (
                        <Badge color="teal">Protected</Badge>
                      ) : (
                        <Badge color="orange">Not reporting</Badge>
                      )}
                    </Table.Td>
                    <Table.Td>
                      {device.privacy_state === 'active'
                        ? 'In use'
                        : device.privacy_state === 'configured'
                          ? 'Configured'
                          : 'Off'}
                    </Table.Td>
                    {canRevoke && (
                      <Table.Td>
                        {device.status === 'active' && (
                          <Button
                            size="xs"
                            variant="light"
                            color="red"
                            onClick={() => setRevoking(device)}
                            aria-label={`Revoke ${device.hostname}`}
                          >
                            Revoke
                          </Button>
                        )}
                      </Table.Td>
                    )}
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {devices.data && rows.length === 0 && (
          <Text c="dimmed" size="sm" p="md">
            No devices yet. Enroll one to start seeing usage.
          </Text>
        )}
      </Card>
      <Modal opened={!!revoking} onClose={() => setRevoking(null)} title="Revoke device?">
        <Stack>
          <Text size="sm">
            <b>{revoking?.hostname}</b> will stop sending usage at once: its certificate is revoked and the
            agent must be enrolled again. This cannot be undone.
          </Text>
          {revoke.error && <Alert color="red">{revoke.error.message}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setRevoking(null)}>
              Cancel
            </Button>
            <Button
              color="red"
              loading={revoke.isPending}
              onClick={() => revoking && revoke.mutate(revoking.id)}
            >
              Revoke device
            </Button>
          </Group>
        </Stack>
      </Modal>
      <BrowsersSection canRevoke={canRevoke} />
      <EnrollModal opened={enrolling} onClose={() => setEnrolling(false)} />
    </Stack>
  );
}
