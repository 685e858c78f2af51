import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api } from '../../api.js';
import { type Column, DataTable } from '../../components/data-table.js';
import { useDirectory } from '../../directory.js';

interface UserRow {
  id: string;
  email: string;
  name: string;
  department_id: string | null;
  manager_id: string | null;
  role: 'owner' | 'admin' | 'manager' | 'employee' | 'auditor';
  created_at: string;
}

interface Mapping {
  id: string;
  os_user: string;
  user_id: string;
  device_id: string | null;
}

const ROLES = ['admin', 'manager', 'employee', 'auditor'] as const;

/** Every user of the org (the API pages by 500). */
async function fetchAllUsers(): Promise<UserRow[]> {
  const users: UserRow[] = [];
  let cursor: string | null = null;
  do {
    const page: { data: UserRow[]; next_cursor: string | null } = await api(
      `/v1/users?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    users.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return users;
}

function UserEditor({ user, users, onClose }: { user: UserRow; users: UserRow[]; onClose: () => void }) {
  const client = useQueryClient();
  const dir = useDirectory();
  const [name, setName] = useState(user.name);
  const [department, setDepartment] = useState(user.department_id);
  const [manager, setManager] = useState(user.manager_id);
  const [role, setRole] = useState<string>(user.role);
  const [shown, setShown] = useState(false);
  const trimmed = name.trim();
  const problem = trimmed.length < 1 || trimmed.length > 200 ? 'Name: 1–200 characters' : undefined;
  const body = {
    ...(trimmed !== user.name ? { name: trimmed } : {}),
    ...(department !== user.department_id ? { department_id: department } : {}),
    ...(manager !== user.manager_id ? { manager_id: manager } : {}),
    ...(role !== user.role ? { role } : {}),
  };
  const save = useMutation({
    mutationFn: () => api<UserRow>(`/v1/users/${user.id}`, { method: 'PATCH', body }),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['users'] });
      await client.invalidateQueries({ queryKey: ['directory'] });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={`Edit ${user.name}`}>
      <Stack>
        <Text size="sm" c="dimmed">
          {user.email}
        </Text>
        <TextInput
          label="Name"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={shown ? problem : undefined}
        />
        <Select
          label="Department"
          placeholder="No department"
          data={dir.departmentOptions}
          value={department}
          onChange={setDepartment}
          clearable
          searchable
        />
        <Select
          label="Manager"
          placeholder="No manager"
          data={users
            .filter((u) => u.id !== user.id)
            .map((u) => ({ value: u.id, label: `${u.name} (${u.email})` }))}
          value={manager}
          onChange={setManager}
          clearable
          searchable
        />
        <Select
          label="Role"
          data={user.role === 'owner' ? ['owner'] : [...ROLES]}
          value={role}
          onChange={(v) => setRole(v ?? role)}
          allowDeselect={false}
          disabled={user.role === 'owner'}
          description={user.role === 'owner' ? 'The owner’s role cannot change' : undefined}
        />
        {save.error && (
          <Alert color="red" title="The server refused the change">
            {save.error.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            loading={save.isPending}
            disabled={Object.keys(body).length === 0}
            onClick={() => {
              setShown(true);
              if (!problem) save.mutate();
            }}
          >
            Save
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function OsUserMappings({ users }: { users: UserRow[] }) {
  const client = useQueryClient();
  const [osUser, setOsUser] = useState('');
  const [userId, setUserId] = useState<string | null>(null);
  const [shown, setShown] = useState(false);
  const mappings = useQuery({
    queryKey: ['users', 'os-user-mappings'],
    queryFn: () => api<{ data: Mapping[] }>('/v1/os-user-mappings'),
  });
  const names = useMemo(() => new Map(users.map((u) => [u.id, u.name])), [users]);
  const trimmed = osUser.trim();
  const problem =
    trimmed.length < 1 || trimmed.length > 256
      ? 'OS account: 1–256 characters'
      : !userId
        ? 'Pick a user'
        : undefined;
  const add = useMutation({
    mutationFn: () =>
      api<Mapping>('/v1/os-user-mappings', { method: 'POST', body: { os_user: trimmed, user_id: userId } }),
    onSuccess: async () => {
      setOsUser('');
      setUserId(null);
      setShown(false);
      await client.invalidateQueries({ queryKey: ['users', 'os-user-mappings'] });
    },
  });
  const columns: Array<Column<Mapping>> = [
    { key: 'os_user', header: 'OS account', value: (m) => m.os_user },
    { key: 'user', header: 'Counts as', value: (m) => names.get(m.user_id) ?? m.user_id },
    { key: 'scope', header: 'Scope', value: (m) => (m.device_id ? 'one device' : 'every device') },
  ];
  return (
    <Card withBorder>
      <Stack>
        <div>
          <Title order={3} size="h4">
            OS-user mappings
          </Title>
          <Text size="sm" c="dimmed">
            Shared or service machines: usage from an OS account counts for the user you map it to (from now
            on).
          </Text>
        </div>
        <Group align="flex-start">
          <TextInput
            label="OS account"
            placeholder="e.g. build-agent"
            value={osUser}
            onChange={(e) => setOsUser(e.currentTarget.value)}
            error={shown && trimmed.length === 0 ? 'OS account: 1–256 characters' : undefined}
          />
          <Select
            label="User"
            data={users.map((u) => ({ value: u.id, label: `${u.name} (${u.email})` }))}
            value={userId}
            onChange={setUserId}
            searchable
            w={320}
            error={shown && !userId ? 'Pick a user' : undefined}
          />
          <Button
            mt={25}
            loading={add.isPending}
            onClick={() => {
              setShown(true);
              if (!problem) add.mutate();
            }}
          >
            Map account
          </Button>
        </Group>
        {add.error && <Alert color="red">{add.error.message}</Alert>}
        <DataTable
          label="OS-user mappings"
          csvName="os-user-mappings"
          rows={mappings.data?.data ?? []}
          columns={columns}
          rowKey={(m) => m.id}
          loading={mappings.isPending}
          error={mappings.error?.message ?? null}
          empty="No mappings: each device's usage counts for its owner."
        />
      </Stack>
    </Card>
  );
}

/** People: edit a user (name, department, manager, role) and map OS accounts to users. */
export function UsersPage() {
  const dir = useDirectory();
  const [editing, setEditing] = useState<UserRow | null>(null);
  const users = useQuery({ queryKey: ['users', 'all'], queryFn: fetchAllUsers });
  const rows = users.data ?? [];
  const names = useMemo(() => new Map(rows.map((u) => [u.id, u.name])), [rows]);
  const columns: Array<Column<UserRow>> = [
    { key: 'name', header: 'Name', value: (u) => u.name },
    { key: 'email', header: 'Email', value: (u) => u.email },
    {
      key: 'department',
      header: 'Department',
      value: (u) => (u.department_id ? (dir.departmentName.get(u.department_id) ?? u.department_id) : null),
    },
    {
      key: 'manager',
      header: 'Manager',
      value: (u) => (u.manager_id ? (names.get(u.manager_id) ?? null) : null),
    },
    {
      key: 'role',
      header: 'Role',
      value: (u) => u.role,
      render: (u) => (
        <Badge variant="light" style={{ overflow: 'visible' }}>
          {u.role}
        </Badge>
      ),
    },
    {
      key: 'edit',
      header: '',
      sortable: false,
      value: () => null,
      render: (u) => (
        <Button
          size="compact-xs"
          variant="default"
          onClick={() => setEditing(u)}
          aria-label={`Edit ${u.name}`}
        >
          Edit
        </Button>
      ),
    },
  ];
  return (
    <Stack>
      <Title order={2}>Users</Title>
      <Card withBorder>
        <DataTable
          label="Users"
          csvName="users"
          rows={rows}
          columns={columns}
          rowKey={(u) => u.id}
          loading={users.isPending}
          error={users.error?.message ?? null}
          initialSort={{ key: 'name', dir: 'asc' }}
          rowProps={(u) => ({ 'data-testid': 'user-row', 'data-email': u.email })}
        />
      </Card>
      <OsUserMappings users={rows} />
      {editing && <UserEditor user={editing} users={rows} onClose={() => setEditing(null)} />}
    </Stack>
  );
}
