import { Badge, Card, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api.js';
import { formatAgo, providerName } from '../../format.js';
import type { CalibrationRow } from './types.js';

const percent = (n: number | null) => (n === null ? '—' : `${(n * 100).toFixed(1)}%`);

function BeforeAfter({ before, after }: { before: number | null; after: number | null }) {
  return (
    <Text size="sm" span>
      {percent(before)} → <strong>{percent(after)}</strong>
    </Text>
  );
}

/** The token estimator's daily error per provider with default ratios and with the fitted ones. */
export function CalibrationTable() {
  const calibration = useQuery({
    queryKey: ['calibration'],
    queryFn: () => api<{ data: CalibrationRow[] }>('/v1/calibration'),
  });
  const rows = calibration.data?.data ?? [];
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="calibration-title">
      <Title order={3} size="h4" id="calibration-title" mb={4}>
        Estimator error before and after calibration
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Mean absolute error of daily token estimates against the provider's counts, with the default byte →
        token ratios and with the ratios re-fitted for this org.
      </Text>
      {calibration.error && <Text c="red">{calibration.error.message}</Text>}
      {rows.length === 0 ? (
        <Text c="dimmed" size="sm">
          {calibration.isPending ? 'Loading…' : 'No provider connections yet.'}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table verticalSpacing="xs" data-testid="calibration-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Provider</Table.Th>
                <Table.Th scope="col">Status</Table.Th>
                <Table.Th scope="col">Input error</Table.Th>
                <Table.Th scope="col">Output error</Table.Th>
                <Table.Th scope="col">Days used</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={r.provider}>
                  <Table.Td>{providerName(r.provider)}</Table.Td>
                  <Table.Td>
                    {r.calibrated ? (
                      <Badge color="teal" title={r.fitted_at ?? undefined}>
                        calibrated {formatAgo(r.fitted_at)}
                      </Badge>
                    ) : (
                      <>
                        <Badge color="gray">default ratios</Badge>
                        {r.readiness.reason ? (
                          <Text size="xs" c="dimmed" data-testid={`calibration-reason-${r.provider}`}>
                            {r.readiness.reason}
                          </Text>
                        ) : null}
                      </>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <BeforeAfter before={r.error.input.mape_before} after={r.error.input.mape_after} />
                  </Table.Td>
                  <Table.Td>
                    <BeforeAfter before={r.error.output.mape_before} after={r.error.output.mape_after} />
                  </Table.Td>
                  <Table.Td>
                    {r.windows_used}
                    {r.windows_excluded ? ` (${r.windows_excluded} excluded as outliers)` : ''}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}
