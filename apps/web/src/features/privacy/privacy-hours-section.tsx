import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Select,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
  describeDays,
  getMyPrivacy,
  type MyPrivacy,
  type PrivacyWindow,
  pauseNow,
  resumeNow,
  saveSchedule,
  timeZones,
} from './privacy-api.js';
import { WindowForm } from './window-form.js';

const PAUSES = [
  { value: '15', label: '15 minutes' },
  { value: '30', label: '30 minutes' },
  { value: '60', label: '1 hour' },
  { value: '120', label: '2 hours' },
  { value: '480', label: '8 hours' },
  { value: 'until', label: 'Until I resume' },
];

const STATE = {
  off: { label: 'Off', color: 'gray.7' },
  configured: { label: 'Scheduled', color: 'blue' },
  active: { label: 'Active now', color: 'teal' },
} as const;

/**
 * Privacy Hours in the employee portal: weekly windows in my time zone and "pause now". Only I can
 * read or change these; my devices enforce them (and any I set on the device itself). Admins see
 * only that Privacy Hours are in use on a device.
 */
export function PrivacyHoursSection() {
  const client = useQueryClient();
  const privacy = useQuery({ queryKey: ['privacy', 'me'], queryFn: getMyPrivacy });
  const [error, setError] = useState<string | null>(null);
  const mutate = useMutation({
    mutationFn: (run: () => Promise<MyPrivacy>) => run(),
    onSuccess: (data) => {
      setError(null);
      client.setQueryData(['privacy', 'me'], data);
    },
    onError: (e) => setError(e instanceof Error ? e.message : String(e)),
  });
  const data = privacy.data;
  const state = STATE[data?.state ?? 'off'];

  return (
    <Card
      withBorder
      padding="lg"
      component="section"
      aria-labelledby="privacy-hours"
      data-testid="privacy-hours"
    >
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h4" id="privacy-hours">
          Privacy Hours
        </Title>
        <Badge color={state.color} data-testid="privacy-state">
          {state.label}
        </Badge>
      </Group>
      <Text size="sm" c="dimmed" mb="md">
        While Privacy Hours are in force, your devices capture and send nothing about your AI usage. Only you
        can see or change them here (or on the device: <code>toktra agent privacy pause</code>, no sudo
        needed). Administrators see only that Privacy Hours are in use on a device — never your schedule — and
        cannot turn them off.
      </Text>
      {error ? (
        <Alert color="red" mb="sm" role="alert">
          {error}
        </Alert>
      ) : null}
      {!data ? (
        <Text c="dimmed">Loading…</Text>
      ) : (
        <Stack>
          <PauseControls privacy={data} busy={mutate.isPending} run={(fn) => mutate.mutate(fn)} />
          <Schedule privacy={data} busy={mutate.isPending} run={(fn) => mutate.mutate(fn)} />
        </Stack>
      )}
    </Card>
  );
}

type Run = (fn: () => Promise<MyPrivacy>) => void;

function PauseControls({ privacy, busy, run }: { privacy: MyPrivacy; busy: boolean; run: Run }) {
  const [choice, setChoice] = useState<string | null>('60');
  const paused = privacy.paused_indefinitely || privacy.paused_until !== null;
  if (paused) {
    return (
      <Group data-testid="privacy-paused">
        <Text fw={500}>
          {privacy.paused_indefinitely
            ? 'Monitoring is paused until you resume.'
            : `Monitoring is paused until ${new Date(privacy.paused_until ?? '').toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}.`}
        </Text>
        <Button variant="light" loading={busy} onClick={() => run(resumeNow)}>
          Resume now
        </Button>
      </Group>
    );
  }
  return (
    <Group align="end">
      <Select
        label="Pause monitoring of me"
        data={PAUSES}
        value={choice}
        onChange={setChoice}
        w={200}
        allowDeselect={false}
      />
      <Button
        loading={busy}
        onClick={() => run(() => pauseNow(choice === 'until' ? undefined : Number(choice)))}
      >
        Pause now
      </Button>
    </Group>
  );
}

function Schedule({ privacy, busy, run }: { privacy: MyPrivacy; busy: boolean; run: Run }) {
  const [editing, setEditing] = useState<number | null>(null);
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const zone = privacy.updated_at ? privacy.time_zone : browserZone;
  const save = (windows: PrivacyWindow[], timeZone = zone) => run(() => saveSchedule(timeZone, windows));

  return (
    <Stack gap="xs">
      <Group justify="space-between" align="end">
        <Title order={4} size="h5">
          Weekly schedule
        </Title>
        <Select
          label="Time zone"
          searchable
          data={timeZones(zone)}
          value={zone}
          onChange={(z) => z && save(privacy.windows, z)}
          w={240}
          allowDeselect={false}
        />
      </Group>
      <Table data-testid="privacy-windows">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Days</Table.Th>
            <Table.Th scope="col">From</Table.Th>
            <Table.Th scope="col">Until</Table.Th>
            <Table.Th scope="col">
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {privacy.windows.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={4}>
                <Text size="sm" c="dimmed">
                  No windows yet.
                </Text>
              </Table.Td>
            </Table.Tr>
          ) : null}
          {privacy.windows.map((w, i) =>
            editing === i ? (
              <Table.Tr key={`${w.days.join('')}-${w.start}-${w.end}`}>
                <Table.Td colSpan={4}>
                  <WindowForm
                    initial={w}
                    busy={busy}
                    onCancel={() => setEditing(null)}
                    onSave={(next) => {
                      setEditing(null);
                      save(privacy.windows.map((old, j) => (j === i ? next : old)));
                    }}
                  />
                </Table.Td>
              </Table.Tr>
            ) : (
              <Table.Tr key={`${w.days.join('')}-${w.start}-${w.end}`}>
                <Table.Td>{describeDays(w.days)}</Table.Td>
                <Table.Td>{w.start}</Table.Td>
                <Table.Td>{w.end}</Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="end">
                    <Button
                      size="xs"
                      variant="subtle"
                      onClick={() => setEditing(i)}
                      aria-label={`Edit ${w.start}–${w.end}`}
                    >
                      Edit
                    </Button>
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      aria-label={`Delete ${w.start}–${w.end}`}
                      onClick={() => save(privacy.windows.filter((_, j) => j !== i))}
                    >
                      Delete
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ),
          )}
        </Table.Tbody>
      </Table>
      {editing === null ? (
        // A fresh form after each addition (keyed by the count).
        <WindowForm key={privacy.windows.length} busy={busy} onSave={(w) => save([...privacy.windows, w])} />
      ) : null}
    </Stack>
  );
}
