import { Alert, Badge, Button, Card, Group, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api.js';
import { formatAgo } from '../../format.js';

interface Browser {
  id: string;
  user_email: string;
  user_name: string;
  name: string;
  enrolled_via: 'sign_in' | 'managed_policy';
  extension_version: string | null;
  created_at: string;
  last_seen_at: string | null;
  last_sync_at: string | null;
  revoked_at: string | null;
}

/** Devices → Browsers: browsers running the Toktra extension, by person; admins revoke them. */
export function BrowsersSection({ canRevoke }: { canRevoke: boolean }) {
  const queryClient = useQueryClient();
  const browsers = useQuery({
    queryKey: ['extension-browsers'],
    queryFn: () => api<{ data: Browser[] }>('/v1/extension/browsers'),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api<Browser>(`/v1/extension/browsers/${id}/revoke`, { method: 'POST' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['extension-browsers'] }),
  });
  const rows = browsers.data?.data ?? [];
  return (
    <Stack gap="xs">
      <Title order={3}>Browsers</Title>
      <Text size="sm" c="dimmed">
        Browsers with the Toktra extension: it reports only requests to AI providers and enforces hard caps
        before a request leaves the browser.
      </Text>
      {browsers.error && <Alert color="red">Could not load browsers: {browsers.error.message}</Alert>}
      {revoke.error && <Alert color="red">{revoke.error.message}</Alert>}
      <Card withBorder padding="md">
        <Table.ScrollContainer minWidth={700}>
          <Table striped verticalSpacing="xs" data-testid="browsers-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Person</Table.Th>
                <Table.Th scope="col">Browser</Table.Th>
                <Table.Th scope="col">Enrolled by</Table.Th>
                <Table.Th scope="col">Last sync</Table.Th>
                <Table.Th scope="col">Status</Table.Th>
                {canRevoke && (
                  <Table.Th scope="col">
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                )}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((b) => (
                <Table.Tr key={b.id}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {b.user_name}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {b.user_email}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {b.name}
                    {b.extension_version ? ` · ${b.extension_version}` : ''}
                  </Table.Td>
                  <Table.Td>{b.enrolled_via === 'managed_policy' ? 'Managed policy' : 'Sign-in'}</Table.Td>
                  <Table.Td>{formatAgo(b.last_sync_at)}</Table.Td>
                  <Table.Td>
                    {b.revoked_at ? <Badge color="gray">Revoked</Badge> : <Badge color="teal">Active</Badge>}
                  </Table.Td>
                  {canRevoke && (
                    <Table.Td>
                      {!b.revoked_at && (
                        <Group justify="flex-end">
                          <Button
                            size="xs"
                            variant="light"
                            color="red"
                            loading={revoke.isPending && revoke.variables === b.id}
                            onClick={() => revoke.mutate(b.id)}
                            aria-label={`Revoke ${b.user_name}'s ${b.name}`}
                          >
                            Revoke
                          </Button>
                        </Group>
                      )}
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {browsers.data && rows.length === 0 && (
          <Text c="dimmed" size="sm" p="md">
            No browsers enrolled yet. Install the Toktra browser extension and sign in from its options page.
          </Text>
        )}
      </Card>
    </Stack>
  );
}
