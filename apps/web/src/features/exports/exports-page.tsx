import {
  Alert,
  Anchor,
  Button,
  Card,
  Group,
  Progress,
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

interface ExportView {
  job_id: string;
  status: 'queued' | 'running' | 'ready' | 'failed';
  progress: number;
  row_count: number;
  error: string | null;
  download_url: string | null;
}

interface Schedule {
  id: string;
  name: string;
  frequency: string;
  time_of_day: string;
  time_zone: string;
  recipients: string[];
  next_run_at: string;
  last_sent_at: string | null;
  last_error: string | null;
}

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

function ExportJob({ jobId }: { jobId: string }) {
  const job = useQuery({
    queryKey: ['export', jobId],
    queryFn: () => api<ExportView>(`/v1/exports/${jobId}`),
    refetchInterval: (q) =>
      q.state.data?.status === 'ready' || q.state.data?.status === 'failed' ? false : 1000,
  });
  const j = job.data;
  if (!j) return null;
  if (j.status === 'failed') return <Alert color="red">Export failed: {j.error}</Alert>;
  if (j.status === 'ready' && j.download_url)
    return (
      <Text>
        Ready: {j.row_count.toLocaleString()} rows.{' '}
        <Anchor href={j.download_url} data-testid="export-download">
          Download
        </Anchor>
      </Text>
    );
  return <Progress value={j.progress} animated aria-label="Export progress" />;
}

/** Exports (CSV/JSON of usage) and scheduled email reports with "Send now". */
export function ExportsPage() {
  const client = useQueryClient();
  const [form, setForm] = useState({
    start_date: daysAgo(30),
    end_date: daysAgo(1),
    format: 'csv',
    scope: 'users',
  });
  const [jobId, setJobId] = useState<string | null>(null);
  const start = useMutation({
    mutationFn: () => api<{ job_id: string }>('/v1/exports', { method: 'POST', body: form }),
    onSuccess: (r) => setJobId(r.job_id),
  });
  const schedules = useQuery({
    queryKey: ['reports'],
    queryFn: () => api<{ data: Schedule[] }>('/v1/reports'),
  });
  const [report, setReport] = useState({ frequency: 'weekly', time_of_day: '08:00', recipients: '' });
  const create = useMutation({
    mutationFn: () =>
      api('/v1/reports', {
        method: 'POST',
        body: {
          name: 'Usage report',
          frequency: report.frequency,
          ...(report.frequency === 'weekly' ? { day_of_week: 1 } : {}),
          ...(report.frequency === 'monthly' ? { day_of_month: 1 } : {}),
          time_of_day: report.time_of_day,
          time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
          recipients: report.recipients
            .split(',')
            .map((r) => r.trim())
            .filter(Boolean),
        },
      }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['reports'] }),
  });
  const sendNow = useMutation({
    mutationFn: (id: string) => api(`/v1/reports/${id}/send-now`, { method: 'POST' }),
    onSettled: () => client.invalidateQueries({ queryKey: ['reports'] }),
  });
  return (
    <Stack>
      <Title order={2}>Exports and reports</Title>
      <Card withBorder>
        <Title order={4}>Export usage</Title>
        <Group align="end">
          <TextInput
            label="From"
            type="date"
            value={form.start_date}
            onChange={(e) => setForm({ ...form, start_date: e.currentTarget.value })}
          />
          <TextInput
            label="To"
            type="date"
            value={form.end_date}
            onChange={(e) => setForm({ ...form, end_date: e.currentTarget.value })}
          />
          <Select
            label="Scope"
            value={form.scope}
            onChange={(v) => setForm({ ...form, scope: v ?? 'users' })}
            data={['users', 'teams', 'models', 'providers']}
          />
          <Select
            label="Format"
            value={form.format}
            onChange={(v) => setForm({ ...form, format: v ?? 'csv' })}
            data={['csv', 'json']}
          />
          <Button onClick={() => start.mutate()} loading={start.isPending}>
            Export
          </Button>
        </Group>
        {start.error && <Alert color="red">{start.error.message}</Alert>}
        {jobId && <ExportJob jobId={jobId} />}
      </Card>
      <Card withBorder>
        <Title order={4}>Scheduled reports</Title>
        <Group align="end">
          <Select
            label="Every"
            value={report.frequency}
            onChange={(v) => setReport({ ...report, frequency: v ?? 'weekly' })}
            data={['daily', 'weekly', 'monthly']}
          />
          <TextInput
            label="At"
            value={report.time_of_day}
            onChange={(e) => setReport({ ...report, time_of_day: e.currentTarget.value })}
          />
          <TextInput
            label="Recipients"
            placeholder="a@x.com, b@x.com"
            value={report.recipients}
            onChange={(e) => setReport({ ...report, recipients: e.currentTarget.value })}
          />
          <Button onClick={() => create.mutate()} loading={create.isPending}>
            Schedule
          </Button>
        </Group>
        {create.error && <Alert color="red">{create.error.message}</Alert>}
        {sendNow.error && <Alert color="red">{sendNow.error.message}</Alert>}
        <Table>
          <Table.Tbody>
            {(schedules.data?.data ?? []).map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>
                  {s.frequency} at {s.time_of_day} ({s.time_zone})
                </Table.Td>
                <Table.Td>{s.recipients.join(', ')}</Table.Td>
                <Table.Td>
                  {s.last_error
                    ? `Failed: ${s.last_error}`
                    : s.last_sent_at
                      ? `Sent ${s.last_sent_at}`
                      : 'Not sent yet'}
                </Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    variant="light"
                    onClick={() => sendNow.mutate(s.id)}
                    loading={sendNow.isPending}
                  >
                    Send now
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
    </Stack>
  );
}
