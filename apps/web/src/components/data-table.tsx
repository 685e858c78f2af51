import {
  Button,
  Group,
  Pagination,
  Skeleton,
  Stack,
  Table,
  Text,
  TextInput,
  UnstyledButton,
} from '@mantine/core';
import { type ReactNode, useDeferredValue, useMemo, useState } from 'react';

export interface Column<T> {
  key: string;
  header: string;
  /** The cell's value for sorting, searching and the CSV file. */
  value: (row: T) => string | number | null;
  /** What the cell shows; defaults to the value. */
  render?: (row: T) => ReactNode;
  align?: 'left' | 'right';
  sortable?: boolean;
}

interface Props<T> {
  rows: T[];
  columns: Array<Column<T>>;
  rowKey: (row: T) => string;
  /** File name of the CSV download (without .csv). */
  csvName: string;
  label: string;
  loading?: boolean;
  error?: string | null;
  empty?: ReactNode;
  pageSize?: number;
  initialSort?: { key: string; dir: 'asc' | 'desc' };
  toolbar?: ReactNode;
  rowProps?: (row: T) => Record<string, string>;
}

function csvCell(v: string | number | null): string {
  const text = v === null ? '' : String(v);
  // Quote everything that could break a row, and neutralise spreadsheet formulas.
  const safe = /^[=+\-@\t\r]/.test(text) && typeof v === 'string' ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv<T>(rows: T[], all: Array<Column<T>>): string {
  const columns = all.filter((c) => c.header !== ''); // action buttons have no data
  const lines = [columns.map((c) => csvCell(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvCell(c.value(row))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${name}.csv`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * The one table for long lists: search over every column, sort by any column, pages of
 * `pageSize` rows (only one page is in the DOM, so 1,000 rows draw as fast as 50), and a CSV
 * download of everything that matches the search, in the current order.
 */
export function DataTable<T>({
  rows,
  columns,
  rowKey,
  csvName,
  label,
  loading,
  error,
  empty,
  pageSize = 50,
  initialSort,
  toolbar,
  rowProps,
}: Props<T>) {
  const [search, setSearch] = useState('');
  const deferred = useDeferredValue(search);
  const [sort, setSort] = useState(initialSort ?? null);
  const [page, setPage] = useState(1);
  const visible = useMemo(() => {
    const needle = deferred.trim().toLowerCase();
    const matched = needle
      ? rows.filter((r) =>
          columns.some((c) =>
            String(c.value(r) ?? '')
              .toLowerCase()
              .includes(needle),
          ),
        )
      : rows;
    if (!sort) return matched;
    const column = columns.find((c) => c.key === sort.key);
    if (!column) return matched;
    const sign = sort.dir === 'asc' ? 1 : -1;
    return [...matched].sort((a, b) => {
      const x = column.value(a);
      const y = column.value(b);
      if (x === y) return 0;
      if (x === null) return 1; // blanks last, whatever the direction
      if (y === null) return -1;
      return (
        (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * sign
      );
    });
  }, [rows, columns, deferred, sort]);
  const pages = Math.max(1, Math.ceil(visible.length / pageSize));
  const current = Math.min(page, pages);
  const shown = visible.slice((current - 1) * pageSize, current * pageSize);
  const toggle = (key: string) => {
    setSort((s) => (s?.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' }));
    setPage(1);
  };
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Group gap="xs">
          <TextInput
            aria-label={`Search ${label}`}
            placeholder="Search…"
            value={search}
            onChange={(e) => {
              setSearch(e.currentTarget.value);
              setPage(1);
            }}
            w={260}
          />
          {toolbar}
        </Group>
        <Group gap="xs">
          <Text size="sm" c="dimmed" data-testid="table-count">
            {visible.length === rows.length
              ? `${rows.length.toLocaleString('en')} rows`
              : `${visible.length.toLocaleString('en')} of ${rows.length.toLocaleString('en')} rows`}
          </Text>
          <Button
            size="xs"
            variant="default"
            disabled={loading || visible.length === 0}
            onClick={() => download(csvName, toCsv(visible, columns))}
          >
            Download CSV
          </Button>
        </Group>
      </Group>
      <Table.ScrollContainer minWidth={600}>
        <Table striped highlightOnHover aria-label={label} data-testid={`table-${csvName}`}>
          <Table.Thead>
            <Table.Tr>
              {columns.map((c) => (
                <Table.Th
                  key={c.key}
                  ta={c.align}
                  aria-sort={
                    sort?.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined
                  }
                >
                  {c.sortable === false ? (
                    c.header
                  ) : (
                    <UnstyledButton onClick={() => toggle(c.key)} fw={700} fz="sm">
                      {c.header} {sort?.key === c.key ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
                    </UnstyledButton>
                  )}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {loading
              ? Array.from({ length: 5 }, (_, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: placeholder rows have no identity
                  <Table.Tr key={i} data-testid="table-skeleton">
                    {columns.map((c) => (
                      <Table.Td key={c.key}>
                        <Skeleton height={14} />
                      </Table.Td>
                    ))}
                  </Table.Tr>
                ))
              : shown.map((row) => (
                  <Table.Tr key={rowKey(row)} {...rowProps?.(row)}>
                    {columns.map((c) => (
                      <Table.Td key={c.key} ta={c.align}>
                        {c.render ? c.render(row) : c.value(row)}
                      </Table.Td>
                    ))}
                  </Table.Tr>
                ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {error && (
        <Text c="red" role="alert">
          {error}
        </Text>
      )}
      {!loading && !error && visible.length === 0 && (
        <Text c="dimmed" py="sm">
          {rows.length === 0 ? (empty ?? 'Nothing here yet.') : 'No rows match the search.'}
        </Text>
      )}
      {pages > 1 && (
        <Pagination
          total={pages}
          value={current}
          onChange={setPage}
          size="sm"
          aria-label={`${label} pages`}
        />
      )}
    </Stack>
  );
}
