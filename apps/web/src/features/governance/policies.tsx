import { Alert, Badge, Button, Card, Group, List, Modal, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api.js';
import { hasPermission, useMe } from '../../auth.js';
import { useDirectory } from '../../directory.js';
import { formatAgo, formatNumber } from '../../format.js';
import { describeConditions } from './condition-builder.js';
import { PolicyEditor, TRIGGERS } from './policy-editor.js';
import { type PolicyRow, type PolicyTest, type PolicyVersion, SEVERITY_COLOR } from './types.js';

const STATUS_COLOR = { draft: 'gray', published: 'teal', disabled: 'dark' } as const;
const ACTION_LABEL: Record<string, string> = {
  email_user: 'email user',
  email_manager: 'email manager',
  block_user: 'block',
  create_incident: 'incident',
  webhook: 'webhook',
};
const triggerLabel = (type: string) => TRIGGERS.find((t) => t.value === type)?.label ?? type;

/** Every version of a policy; publishing an older one rolls back to it. */
function VersionsModal({ policy, onClose }: { policy: PolicyRow; onClose: () => void }) {
  const client = useQueryClient();
  const dir = useDirectory();
  const versions = useQuery({
    queryKey: ['policies', policy.id, 'versions'],
    queryFn: () => api<{ data: PolicyVersion[] }>(`/v1/policies/${policy.id}/versions`),
  });
  const publish = useMutation({
    mutationFn: (version: number) =>
      api<PolicyRow>(`/v1/policies/${policy.id}/publish`, { method: 'POST', body: { version } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['policies'] }),
  });
  return (
    <Modal opened onClose={onClose} title={`Versions of ${policy.name}`} size="lg">
      <Stack>
        {publish.error && <Alert color="red">{publish.error.message}</Alert>}
        {versions.isPending && <Text c="dimmed">Loading versions…</Text>}
        {versions.data?.data.map((v) => (
          <Card withBorder key={v.version} data-testid="policy-version">
            <Group justify="space-between">
              <Text fw={600}>
                v{v.version} · {v.name}
                {policy.published_version === v.version && (
                  <Badge ml="xs" color="teal">
                    running
                  </Badge>
                )}
              </Text>
              <Text size="xs" c="dimmed">
                {formatAgo(v.created_at)} by{' '}
                {v.created_by ? (dir.userName.get(v.created_by) ?? 'API key') : 'system'}
              </Text>
            </Group>
            <Text size="sm">
              {triggerLabel(v.trigger.type)} · when {describeConditions(v.conditions, dir)} ·{' '}
              {v.actions.map((a) => ACTION_LABEL[a.type] ?? a.type).join(' + ')}
            </Text>
            {policy.published_version !== v.version && (
              <Button
                mt="xs"
                size="xs"
                variant="default"
                loading={publish.isPending && publish.variables === v.version}
                onClick={() => publish.mutate(v.version)}
              >
                Publish v{v.version}
              </Button>
            )}
          </Card>
        ))}
      </Stack>
    </Modal>
  );
}

function TestResult({ result }: { result: PolicyTest }) {
  return (
    <div data-testid="policy-test-result">
      <Text size="sm">
        would fire {formatNumber(result.would_fire)}× ({formatNumber(result.matched)} of{' '}
        {formatNumber(result.evaluated)} matched)
      </Text>
      {result.examples.length > 0 && (
        <List size="xs" c="dimmed">
          {result.examples.slice(0, 3).map((e) => (
            <List.Item key={`${e.occurred_at}-${e.summary}`}>{e.summary}</List.Item>
          ))}
        </List>
      )}
    </div>
  );
}

/** Policies: create and edit (condition tree, stacked actions), test, publish, disable, versions, delete drafts. */
export function PoliciesTable() {
  const me = useMe().data;
  const client = useQueryClient();
  const dir = useDirectory();
  const [tests, setTests] = useState<Record<string, PolicyTest>>({});
  const [editing, setEditing] = useState<PolicyRow | 'new' | null>(null);
  const [versionsOf, setVersionsOf] = useState<PolicyRow | null>(null);
  const policies = useQuery({
    queryKey: ['policies'],
    queryFn: () => api<{ data: PolicyRow[] }>('/v1/policies'),
  });
  const act = useMutation({
    mutationFn: ({ id, verb }: { id: string; verb: 'publish' | 'disable' | 'delete' }) =>
      verb === 'delete'
        ? api<unknown>(`/v1/policies/${id}`, { method: 'DELETE' })
        : api<unknown>(`/v1/policies/${id}/${verb}`, {
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
        <Group justify="space-between">
          <Text size="sm" c="dimmed">
            Drafts do nothing until published; an edit is a new version and the running one stays until you
            publish again.
          </Text>
          {canManage && <Button onClick={() => setEditing('new')}>New policy</Button>}
        </Group>
        {(act.error ?? test.error) && <Alert color="red">{(act.error ?? test.error)?.message}</Alert>}
        {policies.isPending ? (
          <Text c="dimmed">Loading policies…</Text>
        ) : policies.error ? (
          <Alert color="red">{policies.error.message}</Alert>
        ) : rows.length === 0 ? (
          <Text c="dimmed">No policies yet.{canManage ? ' Create one with “New policy”.' : ''}</Text>
        ) : (
          <Table striped data-testid="policies-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Policy</Table.Th>
                <Table.Th>When</Table.Th>
                <Table.Th>Then</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Last 30 days</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((p) => {
                const result = tests[p.id];
                return (
                  <Table.Tr key={p.id} data-testid="policy-row" data-name={p.name}>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Badge
                          color={SEVERITY_COLOR[p.severity]}
                          style={{ flexShrink: 0, overflow: 'visible' }}
                        >
                          {p.severity}
                        </Badge>
                        <Text fw={500}>{p.name}</Text>
                      </Group>
                      <Text size="xs" c="dimmed">
                        v{p.current_version}
                        {p.published_version ? ` · running v${p.published_version}` : ''} · edited{' '}
                        {formatAgo(p.updated_at)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{triggerLabel(p.trigger.type)}</Text>
                      <Text size="xs" c="dimmed" data-testid="policy-conditions">
                        if {describeConditions(p.conditions, dir)}
                      </Text>
                    </Table.Td>
                    <Table.Td>{p.actions.map((a) => ACTION_LABEL[a.type] ?? a.type).join(' + ')}</Table.Td>
                    <Table.Td>
                      <Badge color={STATUS_COLOR[p.status]} style={{ overflow: 'visible' }}>
                        {p.status}
                      </Badge>
                      {p.has_unpublished_changes && p.status !== 'draft' && (
                        <Text size="xs" c="dimmed">
                          unpublished changes
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{result ? <TestResult result={result} /> : '—'}</Table.Td>
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
                          <Button size="xs" variant="default" onClick={() => setEditing(p)}>
                            Edit
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
                          <Button size="xs" variant="subtle" onClick={() => setVersionsOf(p)}>
                            Versions
                          </Button>
                          {p.status === 'draft' && p.published_version === null && (
                            <Button
                              size="xs"
                              variant="subtle"
                              color="red"
                              onClick={() => {
                                if (window.confirm(`Delete the draft “${p.name}”?`))
                                  act.mutate({ id: p.id, verb: 'delete' });
                              }}
                            >
                              Delete
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
      {editing && (
        <PolicyEditor policy={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />
      )}
      {versionsOf && <VersionsModal policy={versionsOf} onClose={() => setVersionsOf(null)} />}
    </Card>
  );
}
