import { Stack, Tabs, Title } from '@mantine/core';
import { useLocation, useNavigate } from 'react-router';
import { DepartmentTreeCard } from './department-tree.js';
import { ExemptionsTable } from './exemptions.js';
import { RolloverHistory } from './rollover-history.js';

const TABS = [
  { value: 'hierarchy', path: '/budgets', label: 'Department hierarchy' },
  { value: 'rollovers', path: '/budgets/rollovers', label: 'Rollover history' },
  { value: 'exemptions', path: '/budgets/exemptions', label: 'Exemptions' },
] as const;

/** Budget Management: the live department tree, rollover history and exemptions. */
export function BudgetsPage() {
  const location = useLocation();
  const navigate = useNavigate();
  const active = TABS.find((t) => t.path === location.pathname)?.value ?? 'hierarchy';
  return (
    <Stack>
      <Title order={2}>Budget management</Title>
      <Tabs value={active} onChange={(v) => navigate(TABS.find((t) => t.value === v)?.path ?? '/budgets')}>
        <Tabs.List>
          {TABS.map((t) => (
            <Tabs.Tab key={t.value} value={t.value}>
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="hierarchy" pt="md">
          <DepartmentTreeCard />
        </Tabs.Panel>
        <Tabs.Panel value="rollovers" pt="md">
          {active === 'rollovers' && <RolloverHistory />}
        </Tabs.Panel>
        <Tabs.Panel value="exemptions" pt="md">
          {active === 'exemptions' && <ExemptionsTable />}
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
