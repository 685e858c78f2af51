import { Card, Select, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api.js';
import { formatNumber } from '../../format.js';
import type { Budget, DepartmentTree, Rollover } from './types.js';

function names(tree: DepartmentTree | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (nodes: DepartmentTree['departments']) => {
    for (const n of nodes) {
      out.set(n.id, n.name);
      walk(n.children);
    }
  };
  walk(tree?.departments ?? []);
  return out;
}

/** Rollover history per budget: what each closed period left unused and what carried over. */
export function RolloverHistory() {
  const budgets = useQuery({ queryKey: ['budgets'], queryFn: () => api<{ data: Budget[] }>('/v1/budgets') });
  const tree = useQuery({
    queryKey: ['budgets', 'tree'],
    queryFn: () => api<DepartmentTree>('/v1/departments/tree'),
  });
  const [selected, setSelected] = useState<string | null>(null);
  const budgetId = selected ?? budgets.data?.data[0]?.id ?? null;
  const history = useQuery({
    queryKey: ['budgets', budgetId, 'rollovers'],
    queryFn: () => api<{ data: Rollover[] }>(`/v1/budgets/${budgetId}/rollovers`),
    enabled: !!budgetId,
  });
  const deptNames = names(tree.data);
  const options = (budgets.data?.data ?? []).map((b) => ({
    value: b.id,
    label: b.department_id ? (deptNames.get(b.department_id) ?? b.department_id) : 'Whole organisation',
  }));
  return (
    <Card withBorder>
      <Stack>
        <Select label="Budget" data={options} value={budgetId} onChange={setSelected} allowDeselect={false} />
        {history.data?.data.length === 0 && <Text c="dimmed">No period has closed yet.</Text>}
        {!!history.data?.data.length && (
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Period</Table.Th>
                <Table.Th ta="right">Limit</Table.Th>
                <Table.Th ta="right">Rolled in</Table.Th>
                <Table.Th ta="right">Spent</Table.Th>
                <Table.Th ta="right">Unused</Table.Th>
                <Table.Th ta="right">Cap</Table.Th>
                <Table.Th ta="right">Carried over</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {history.data.data.map((r) => (
                <Table.Tr key={r.from_period}>
                  <Table.Td>
                    {r.from_period} → {r.to_period}
                  </Table.Td>
                  <Table.Td ta="right">{formatNumber(r.limit_amount)}</Table.Td>
                  <Table.Td ta="right">{formatNumber(r.rollover_in)}</Table.Td>
                  <Table.Td ta="right">{formatNumber(r.spent)}</Table.Td>
                  <Table.Td ta="right">{formatNumber(r.unused)}</Table.Td>
                  <Table.Td ta="right">{r.cap_pct}%</Table.Td>
                  <Table.Td ta="right">{formatNumber(r.amount)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  );
}
