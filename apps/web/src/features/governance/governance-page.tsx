import { Stack, Tabs, Title } from '@mantine/core';
import { useLocation, useNavigate } from 'react-router';
import { AlertsTable } from './alerts.js';
import { AuditTrail } from './audit.js';
import { IncidentsTable } from './incidents.js';
import { PoliciesTable } from './policies.js';
import { WebhookDeliveries } from './webhook-deliveries.js';

const TABS = [
  { value: 'alerts', path: '/governance', label: 'Alerts' },
  { value: 'incidents', path: '/governance/incidents', label: 'Incidents' },
  { value: 'policies', path: '/governance/policies', label: 'Policies' },
  { value: 'webhooks', path: '/governance/webhooks', label: 'Webhook deliveries' },
  { value: 'audit', path: '/governance/audit', label: 'Audit trail' },
] as const;

/** Governance: alerts, the incident tracker, policies, webhook delivery log and the audit trail. */
export function GovernancePage() {
  const location = useLocation();
  const navigate = useNavigate();
  const active = TABS.find((t) => t.path === location.pathname)?.value ?? 'alerts';
  return (
    <Stack>
      <Title order={2}>Governance</Title>
      <Tabs value={active} onChange={(v) => navigate(TABS.find((t) => t.value === v)?.path ?? '/governance')}>
        <Tabs.List>
          {TABS.map((t) => (
            <Tabs.Tab key={t.value} value={t.value}>
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="alerts" pt="md">
          {active === 'alerts' && <AlertsTable />}
        </Tabs.Panel>
        <Tabs.Panel value="incidents" pt="md">
          {active === 'incidents' && <IncidentsTable />}
        </Tabs.Panel>
        <Tabs.Panel value="policies" pt="md">
          {active === 'policies' && <PoliciesTable />}
        </Tabs.Panel>
        <Tabs.Panel value="webhooks" pt="md">
          {active === 'webhooks' && <WebhookDeliveries />}
        </Tabs.Panel>
        <Tabs.Panel value="audit" pt="md">
          {active === 'audit' && <AuditTrail />}
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
