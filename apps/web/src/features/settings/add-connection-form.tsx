import {
  Alert,
  Button,
  Card,
  Group,
  PasswordInput,
  Select,
  Stack,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../../api.js';
import { CONNECTION_PROVIDERS, type ConnectionProvider, type ConnectionRow } from './types.js';

type Fields = Record<string, string>;

/** Lines or commas → a list, dropping blanks (resource ids, project ids). */
const listOf = (text: string | undefined) =>
  (text ?? '')
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);

/** The `credentials` object the API expects for each provider (docs/shadow-ai.md, Connections). */
function credentialsOf(provider: ConnectionProvider, f: Fields): Record<string, unknown> {
  switch (provider) {
    case 'openai':
    case 'anthropic':
      return { admin_key: f.admin_key ?? '' };
    case 'azure-openai':
      return {
        tenant_id: f.tenant_id ?? '',
        client_id: f.client_id ?? '',
        client_secret: f.client_secret ?? '',
        resource_ids: listOf(f.resource_ids),
      };
    case 'google-vertex': {
      const projects = listOf(f.project_ids);
      return {
        service_account: f.service_account ?? '',
        ...(projects.length ? { project_ids: projects } : {}),
      };
    }
  }
}

function CredentialFields({
  provider,
  fields,
  set,
}: {
  provider: ConnectionProvider;
  fields: Fields;
  set: (name: string) => (e: { currentTarget: { value: string } }) => void;
}) {
  if (provider === 'openai' || provider === 'anthropic') {
    return (
      <PasswordInput
        label="Admin API key"
        description={
          provider === 'openai' ? 'An organization Admin key (sk-admin-…)' : 'An Admin key (sk-ant-admin…)'
        }
        required
        autoComplete="off"
        value={fields.admin_key ?? ''}
        onChange={set('admin_key')}
      />
    );
  }
  if (provider === 'azure-openai') {
    return (
      <>
        <Group grow align="flex-start">
          <TextInput label="Tenant ID" required value={fields.tenant_id ?? ''} onChange={set('tenant_id')} />
          <TextInput label="Client ID" required value={fields.client_id ?? ''} onChange={set('client_id')} />
        </Group>
        <PasswordInput
          label="Client secret"
          required
          autoComplete="off"
          value={fields.client_secret ?? ''}
          onChange={set('client_secret')}
        />
        <Textarea
          label="Resource IDs"
          description="One Cognitive Services account resource ID per line; the app needs Monitoring Reader on each"
          required
          autosize
          minRows={2}
          value={fields.resource_ids ?? ''}
          onChange={set('resource_ids')}
        />
      </>
    );
  }
  return (
    <>
      <Textarea
        label="Service account key (JSON)"
        description="Paste the key file of a service account with roles/monitoring.viewer"
        required
        autosize
        minRows={4}
        maxRows={10}
        styles={{ input: { fontFamily: 'monospace' } }}
        value={fields.service_account ?? ''}
        onChange={set('service_account')}
      />
      <TextInput
        label="Project IDs"
        description="Optional, comma-separated; defaults to the key's project"
        value={fields.project_ids ?? ''}
        onChange={set('project_ids')}
      />
    </>
  );
}

/**
 * Adds a provider connection. Credentials are write-only: the form forgets them once saved and
 * the server only ever returns a masked hint.
 */
export function AddConnectionForm({ onDone }: { onDone: (created: ConnectionRow) => void }) {
  const client = useQueryClient();
  const [provider, setProvider] = useState<ConnectionProvider>('openai');
  const [fields, setFields] = useState<Fields>({});
  const set = (name: string) => (e: { currentTarget: { value: string } }) => {
    const value = e.currentTarget.value;
    setFields((f) => ({ ...f, [name]: value }));
  };
  const create = useMutation({
    mutationFn: () =>
      api<ConnectionRow>('/v1/provider-connections', {
        method: 'POST',
        body: {
          provider,
          credentials: credentialsOf(provider, fields),
          ...(fields.name?.trim() ? { name: fields.name.trim() } : {}),
          ...(fields.base_url?.trim() ? { base_url: fields.base_url.trim() } : {}),
        },
      }),
    onSuccess: (created) => {
      setFields({});
      client.invalidateQueries({ queryKey: ['provider-connections'] });
      onDone(created);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Card withBorder component="section" aria-labelledby="add-connection-title">
      <form onSubmit={submit}>
        <Stack>
          <Title order={3} size="h4" id="add-connection-title">
            Add a connection
          </Title>
          {create.error && (
            <Alert color="red" title="Not saved">
              {create.error.message}
            </Alert>
          )}
          <Group grow align="flex-start">
            <Select
              label="Provider"
              data={CONNECTION_PROVIDERS}
              value={provider}
              allowDeselect={false}
              onChange={(v) => {
                setProvider((v as ConnectionProvider | null) ?? 'openai');
                setFields((f) => ({ name: f.name ?? '', base_url: f.base_url ?? '' }));
              }}
            />
            <TextInput label="Name" description="Optional" value={fields.name ?? ''} onChange={set('name')} />
          </Group>
          <CredentialFields provider={provider} fields={fields} set={set} />
          <TextInput
            label="Base URL"
            description="Optional: a proxy in front of the provider's API (https)"
            value={fields.base_url ?? ''}
            onChange={set('base_url')}
          />
          <Group justify="flex-end">
            <Button type="submit" loading={create.isPending}>
              Save connection
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
