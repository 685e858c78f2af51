import { Anchor, Button, Card, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, query } from '../../api.js';
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
        {rows.length === 0 ? (
          <Text c="dimmed">No entries.</Text>
        ) : (
          <Table striped data-testid="audit-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>#</Table.Th>
                <Table.Th>When</Table.Th>
                <Table.Th>Who</Table.Th>
                <Table.Th>Action</Table.Th>
                <Table.Th>Target</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((e) => (
                <Table.Tr key={e.seq}>
                  <Table.Td>{e.seq}</Table.Td>
                  <Table.Td>{formatAgo(e.at)}</Table.Td>
                  <Table.Td>
                    {e.actor_type}
                    {e.actor_id ? `:${e.actor_id.slice(0, 8)}` : ''}
                  </Table.Td>
                  <Table.Td>{e.action}</Table.Td>
                  <Table.Td>
                    {e.target_type ? `${e.target_type} ${e.target_id?.slice(0, 8) ?? ''}` : '—'}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
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
