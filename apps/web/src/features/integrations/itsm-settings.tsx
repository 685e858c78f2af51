import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  PasswordInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api.js';
import { formatAgo } from '../../format.js';
import type { Connector } from './types.js';

/** ITSM connectors (ServiceNow, Jira): credentials are write-only; Test runs one authenticated read. */
export function ItsmSettings() {
  const client = useQueryClient();
  const connectors = useQuery({
    queryKey: ['itsm-connectors'],
    queryFn: () => api<{ data: Connector[] }>('/v1/itsm/connectors'),
  });
  const refresh = () => client.invalidateQueries({ queryKey: ['itsm-connectors'] });
  const [result, setResult] = useState<{ ok: boolean; message: string } | null>(null);
  const test = useMutation({
    mutationFn: (id: string) =>
      api<{ ok: boolean; message: string }>(`/v1/itsm/connectors/${id}/test`, { method: 'POST' }),
    onSuccess: (r) => {
      setResult(r);
      void refresh();
    },
  });
  const toggle = useMutation({
    mutationFn: (c: Connector) =>
      api(`/v1/itsm/connectors/${c.id}`, { method: 'PATCH', body: { active: !c.active } }),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: string) => api(`/v1/itsm/connectors/${id}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });
  return (
    <Stack>
      {result && <Alert color={result.ok ? 'teal' : 'red'}>{result.message}</Alert>}
      <Card withBorder>
        <Title order={4}>Connectors</Title>
        <Text size="sm" c="dimmed">
          Slack alert cards show “Create ticket” while at least one connector is active.
        </Text>
        <Table mt="sm" data-testid="itsm-connectors">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Kind</Table.Th>
              <Table.Th>Target</Table.Th>
              <Table.Th>Last test</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(connectors.data?.data ?? []).map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>
                  {c.name} {!c.active && <Badge color="gray">inactive</Badge>}
                </Table.Td>
                <Table.Td>{c.kind}</Table.Td>
                <Table.Td>
                  {c.base_url}{' '}
                  {c.kind === 'jira' ? `· ${c.project_key} · ${c.issue_type}` : `· ${c.table_name}`}
                </Table.Td>
                <Table.Td>
                  {c.last_tested_at ? (
                    <Badge color={c.last_test_ok ? 'teal' : 'red'}>{formatAgo(c.last_tested_at)}</Badge>
                  ) : (
                    '—'
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap="xs">
                    <Button
                      size="xs"
                      onClick={() => test.mutate(c.id)}
                      loading={test.isPending && test.variables === c.id}
                    >
                      Test
                    </Button>
                    <Button size="xs" variant="default" onClick={() => toggle.mutate(c)}>
                      {c.active ? 'Deactivate' : 'Activate'}
                    </Button>
                    <Button size="xs" variant="default" color="red" onClick={() => remove.mutate(c.id)}>
                      Remove
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
      <AddConnector onAdded={refresh} />
    </Stack>
  );
}

function AddConnector({ onAdded }: { onAdded: () => void }) {
  const [kind, setKind] = useState<'servicenow' | 'jira'>('servicenow');
  const [form, setForm] = useState({
    name: '',
    base_url: '',
    user: '',
    secret: '',
    project_key: '',
    issue_type: 'Task',
  });
  const set = (key: keyof typeof form) => (e: { currentTarget: { value: string } }) =>
    setForm({ ...form, [key]: e.currentTarget.value });
  const add = useMutation({
    mutationFn: () =>
      api('/v1/itsm/connectors', {
        method: 'POST',
        body:
          kind === 'servicenow'
            ? {
                kind,
                name: form.name,
                base_url: form.base_url,
                credentials: { username: form.user, password: form.secret },
              }
            : {
                kind,
                name: form.name,
                base_url: form.base_url,
                project_key: form.project_key,
                issue_type: form.issue_type,
                credentials: { email: form.user, api_token: form.secret },
              },
      }),
    onSuccess: () => {
      setForm({ ...form, secret: '' });
      onAdded();
    },
  });
  return (
    <Card withBorder>
      <Title order={4}>Add a connector</Title>
      <Group align="end" mt="sm">
        <Select
          label="Kind"
          value={kind}
          onChange={(v) => setKind(v === 'jira' ? 'jira' : 'servicenow')}
          data={[
            { value: 'servicenow', label: 'ServiceNow (incident)' },
            { value: 'jira', label: 'Jira Cloud (issue)' },
          ]}
        />
        <TextInput label="Name" value={form.name} onChange={set('name')} />
        <TextInput
          label="Base URL"
          placeholder={kind === 'jira' ? 'https://acme.atlassian.net' : 'https://acme.service-now.com'}
          value={form.base_url}
          onChange={set('base_url')}
        />
        <TextInput label={kind === 'jira' ? 'Email' : 'Username'} value={form.user} onChange={set('user')} />
        <PasswordInput
          label={kind === 'jira' ? 'API token' : 'Password'}
          value={form.secret}
          onChange={set('secret')}
        />
        {kind === 'jira' && (
          <>
            <TextInput label="Project key" value={form.project_key} onChange={set('project_key')} />
            <TextInput label="Issue type" value={form.issue_type} onChange={set('issue_type')} />
          </>
        )}
        <Button onClick={() => add.mutate()} loading={add.isPending}>
          Add
        </Button>
      </Group>
      {add.error && (
        <Alert color="red" mt="sm">
          {add.error.message}
        </Alert>
      )}
    </Card>
  );
}
