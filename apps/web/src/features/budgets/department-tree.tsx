import { ActionIcon, Badge, Box, Button, Card, Group, Progress, Stack, Text, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api.js';
import { hasPermission, useMe } from '../../auth.js';
import { formatCompact, formatNumber } from '../../format.js';
import { BudgetEditor } from './budget-editor.js';
import { DepartmentEditor } from './department-editor.js';
import type { Budget, BudgetGauge, DepartmentTree, TreeNode } from './types.js';

interface Editing {
  onDepartment?: (node: TreeNode) => void;
  onBudget?: (scope: { department_id: string | null; name: string }) => void;
}

function formatAmount(g: BudgetGauge, n: number): string {
  return g.unit === 'cost' ? `$${n.toFixed(2)}` : formatCompact(n);
}

function gaugeColor(g: BudgetGauge): string {
  if (g.used_pct >= 100) return g.cap === 'hard' ? 'red' : 'orange';
  return g.used_pct >= (g.thresholds[0] ?? 80) ? 'yellow' : 'teal';
}

/** A live budget gauge: spend against limit + rollover, thresholds marked in the label. */
export function Gauge({ gauge }: { gauge: BudgetGauge }) {
  return (
    <Tooltip
      label={`${formatAmount(gauge, gauge.spent)} of ${formatAmount(gauge, gauge.effective_limit)}${
        gauge.rollover_in > 0 ? ` (incl. ${formatAmount(gauge, gauge.rollover_in)} rolled over)` : ''
      } · alerts at ${gauge.thresholds.join('%, ') || '—'}%`}
    >
      <Box w={220}>
        <Progress
          value={Math.min(100, gauge.used_pct)}
          color={gaugeColor(gauge)}
          size="lg"
          aria-label={`budget used ${gauge.used_pct}%`}
        />
        <Group justify="space-between" gap={4}>
          <Text size="xs" c="dimmed">
            {gauge.used_pct > 999 ? '>999' : gauge.used_pct}% used
          </Text>
          <Badge size="xs" variant="light" color={gauge.cap === 'hard' ? 'red' : 'blue'}>
            {gauge.cap} cap
          </Badge>
        </Group>
      </Box>
    </Tooltip>
  );
}

function EditButtons({ node, edit }: { node: TreeNode; edit: Editing }) {
  return (
    <Group gap={4} wrap="nowrap">
      {edit.onDepartment && (
        <Button
          size="compact-xs"
          variant="subtle"
          onClick={() => edit.onDepartment?.(node)}
          aria-label={`Edit ${node.name}`}
        >
          Edit
        </Button>
      )}
      {edit.onBudget && (
        <Button
          size="compact-xs"
          variant="subtle"
          onClick={() => edit.onBudget?.({ department_id: node.id, name: node.name })}
          aria-label={`Budget of ${node.name}`}
        >
          Budget
        </Button>
      )}
    </Group>
  );
}

function Node({ node, depth, edit }: { node: TreeNode; depth: number; edit: Editing }) {
  const [open, setOpen] = useState(depth < 1);
  const hasChildren = node.children.length > 0;
  return (
    <>
      <Group
        justify="space-between"
        wrap="nowrap"
        pl={depth * 24}
        py={6}
        data-testid="tree-node"
        data-name={node.name}
      >
        <Group gap="xs" wrap="nowrap">
          <ActionIcon
            variant="subtle"
            size="sm"
            onClick={() => setOpen(!open)}
            disabled={!hasChildren}
            aria-label={`${open ? 'Collapse' : 'Expand'} ${node.name}`}
            aria-expanded={hasChildren ? open : undefined}
          >
            {hasChildren ? (open ? '▾' : '▸') : '·'}
          </ActionIcon>
          <Text fw={500}>{node.name}</Text>
          <Text size="sm" c="dimmed" data-testid="node-total">
            {formatNumber(node.total_tokens)} tokens
          </Text>
        </Group>
        <Group gap="sm" wrap="nowrap">
          {node.budget ? (
            <Gauge gauge={node.budget} />
          ) : (
            <Text size="xs" c="dimmed">
              no budget
            </Text>
          )}
          <EditButtons node={node} edit={edit} />
        </Group>
      </Group>
      {open &&
        node.children.map((child) => <Node key={child.id} node={child} depth={depth + 1} edit={edit} />)}
    </>
  );
}

/** The department hierarchy with this period's usage rolled up per node; refreshes every 5 s. */
export function DepartmentTreeCard() {
  const me = useMe().data;
  const tree = useQuery({
    queryKey: ['budgets', 'tree'],
    queryFn: () => api<DepartmentTree>('/v1/departments/tree'),
    refetchInterval: 5_000,
  });
  const canManage = hasPermission(me, 'settings:manage');
  const budgets = useQuery({
    queryKey: ['budgets', 'list'],
    queryFn: () => api<{ data: Budget[] }>('/v1/budgets'),
    enabled: canManage,
  });
  const [department, setDepartment] = useState<TreeNode | 'new' | null>(null);
  const [budgetScope, setBudgetScope] = useState<{ department_id: string | null; name: string } | null>(null);
  const edit: Editing = canManage ? { onDepartment: setDepartment, onBudget: setBudgetScope } : {};
  if (!tree.data) return <Card withBorder>{tree.error ? tree.error.message : 'Loading…'}</Card>;
  const { org } = tree.data;
  const budgetOf = (departmentId: string | null) =>
    budgets.data?.data.find((b) => b.department_id === departmentId) ?? null;
  return (
    <Card withBorder>
      {department && (
        <DepartmentEditor
          tree={tree.data.departments}
          department={department === 'new' ? null : department}
          onClose={() => setDepartment(null)}
        />
      )}
      {budgetScope && (
        <BudgetEditor
          scope={budgetScope}
          budget={budgetOf(budgetScope.department_id)}
          onClose={() => setBudgetScope(null)}
        />
      )}
      <Stack gap={0}>
        <Group justify="space-between" pb="sm">
          <div>
            <Text fw={600}>Organisation · {tree.data.period}</Text>
            <Text size="sm" c="dimmed">
              {formatNumber(org.total_tokens)} tokens this period ({tree.data.time_zone})
            </Text>
          </div>
          <Group gap="sm">
            {org.budget && <Gauge gauge={org.budget} />}
            {canManage && (
              <>
                <Button
                  size="xs"
                  variant="default"
                  onClick={() => setBudgetScope({ department_id: null, name: 'Organisation' })}
                >
                  Org budget
                </Button>
                <Button size="xs" onClick={() => setDepartment('new')}>
                  New department
                </Button>
              </>
            )}
          </Group>
        </Group>
        {tree.data.departments.length === 0 && (
          <Text c="dimmed" py="md">
            No departments yet.{canManage ? ' Create one with “New department”.' : ''}
          </Text>
        )}
        {tree.data.departments.map((d) => (
          <Node key={d.id} node={d} depth={0} edit={edit} />
        ))}
      </Stack>
    </Card>
  );
}
