import { Card, Table, Text, Title } from '@mantine/core';
import { useMemo } from 'react';
import { formatNumber } from '../../format.js';
import type { DimensionUsage, ShadowAiDay } from './types.js';

const COLUMNS = [
  { key: 'project_id', label: 'Project' },
  { key: 'workspace_id', label: 'Workspace' },
  { key: 'api_key_id', label: 'API key' },
  { key: 'model', label: 'Model' },
] as const;

/** Provider-reported usage over the range by the provider's own dimensions, largest first. */
export function DimensionTable({ days }: { days: ShadowAiDay[] }) {
  const rows = useMemo(() => {
    const sums = new Map<string, DimensionUsage>();
    for (const d of days) {
      for (const u of d.by_dimension) {
        const key = JSON.stringify([u.project_id, u.workspace_id, u.api_key_id, u.model]);
        const row = sums.get(key) ?? { ...u, input_tokens: 0, output_tokens: 0 };
        row.input_tokens += u.input_tokens;
        row.output_tokens += u.output_tokens;
        sums.set(key, row);
      }
    }
    return [...sums.values()].sort(
      (a, b) => b.input_tokens + b.output_tokens - (a.input_tokens + a.output_tokens),
    );
  }, [days]);
  // Only the dimensions this provider reports (OpenAI has projects, Anthropic workspaces).
  const columns = COLUMNS.filter((c) => rows.some((r) => r[c.key] !== null));
  if (rows.length === 0 || columns.length === 0) return null;
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="dimensions-title">
      <Title order={3} size="h4" id="dimensions-title" mb={4}>
        By the provider's dimensions
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Provider-reported tokens in this range; a project or key that agents never see is a likely source of
        the gap.
      </Text>
      <Table.ScrollContainer minWidth={560}>
        <Table verticalSpacing={4} fz="sm" data-testid="shadow-dimensions">
          <Table.Thead>
            <Table.Tr>
              {columns.map((c) => (
                <Table.Th key={c.key} scope="col">
                  {c.label}
                </Table.Th>
              ))}
              <Table.Th scope="col" ta="right">
                Input
              </Table.Th>
              <Table.Th scope="col" ta="right">
                Output
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.slice(0, 25).map((r) => (
              <Table.Tr key={JSON.stringify([r.project_id, r.workspace_id, r.api_key_id, r.model])}>
                {columns.map((c) => (
                  <Table.Td key={c.key} ff={c.key === 'model' ? undefined : 'monospace'}>
                    {r[c.key] ?? '—'}
                  </Table.Td>
                ))}
                <Table.Td ta="right">{formatNumber(r.input_tokens)}</Table.Td>
                <Table.Td ta="right">{formatNumber(r.output_tokens)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}
