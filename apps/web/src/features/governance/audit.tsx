import { Anchor, Button, Card, Group, Stack, TextInput } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, query } from '../../api.js';
import { type Column, DataTable } from '../../components/data-table.js';
import { useDirectory } from '../../directory.js';
import { formatAgo } from '../../format.js';
import type { AuditRow } from './types.js';

/** The hash-chained audit trail, newest first, filterable by action (prefix with `.*`), exportable. */
export function AuditTrail() {
  const [action, setAction] = useState('');
  const entries = useInfiniteQuery({
    queryKey: ['audit', action],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api<{ data: AuditRow[]; next_cursor: string | null }>(
        `/v1/audit${query({ action: action || undefined, cursor: pageParam, limit: '100' })}`,
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = entries.data?.pages.flatMap((p) => p.data) ?? [];
  const dir = useDirectory();
  // Names, not ids: the server's actor_name/target_name when it sends them, else the directory.
  const who = (e: AuditRow) =>
    e.actor_name ??
    (e.actor_type === 'user' && e.actor_id ? dir.userName.get(e.actor_id) : undefined) ??
    `${e.actor_type}${e.actor_id ? `:${e.actor_id.slice(0, 8)}` : ''}`;
  const target = (e: AuditRow) =>
    e.target_name ??
    (e.target_type === 'user' && e.target_id ? dir.userName.get(e.target_id) : undefined) ??
    (e.target_type === 'department' && e.target_id ? dir.departmentName.get(e.target_id) : undefined) ??
    (e.target_type ? `${e.target_type} ${e.target_id?.slice(0, 8) ?? ''}` : null);
  const columns: Array<Column<AuditRow>> = [
    { key: 'seq', header: '#', value: (e) => e.seq },
    { key: 'at', header: 'When', value: (e) => e.at, render: (e) => formatAgo(e.at) },
    { key: 'who', header: 'Who', value: who },
    { key: 'action', header: 'Action', value: (e) => e.action },
    { key: 'target', header: 'Target', value: target, render: (e) => target(e) ?? '—' },
  ];
  const filter = query({ action: action || undefined });
  return (
    <Card withBorder>
      <Stack>
        <Group align="end">
          <TextInput
            label="Action"
            placeholder="policy.*"
            value={action}
            onChange={(e) => setAction(e.currentTarget.value)}
          />
          <Anchor href={`/v1/audit/export${filter ? `${filter}&` : '?'}format=csv`}>Export CSV</Anchor>
          <Anchor href={`/v1/audit/export${filter ? `${filter}&` : '?'}format=json`}>Export JSON</Anchor>
        </Group>
        <DataTable
          label="Audit trail"
          csvName="audit-trail"
          rows={rows}
          columns={columns}
          rowKey={(e) => String(e.seq)}
          loading={entries.isPending}
          error={entries.error?.message ?? null}
          empty="No entries."
          pageSize={100}
        />
        {entries.hasNextPage && (
          <Button
            variant="default"
            onClick={() => entries.fetchNextPage()}
            loading={entries.isFetchingNextPage}
          >
            Load more
          </Button>
        )}
      </Stack>
    </Card>
  );
}
