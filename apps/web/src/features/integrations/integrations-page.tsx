import { Stack, Tabs, Title } from '@mantine/core';
import { useLocation, useNavigate } from 'react-router';
import { ItsmSettings } from './itsm-settings.js';
import { SlackSettings } from './slack-settings.js';

const TABS = [
  { value: 'slack', path: '/integrations/slack', label: 'Slack' },
  { value: 'itsm', path: '/integrations/itsm', label: 'ITSM (ServiceNow, Jira)' },
] as const;

/** Integrations → Slack (install, workspaces, alert channels) and ITSM connectors. */
export function IntegrationsPage() {
  const location = useLocation();
  const navigate = useNavigate();
  const active = TABS.find((t) => location.pathname.startsWith(t.path))?.value ?? 'slack';
  return (
    <Stack>
      <Title order={2}>Integrations</Title>
      <Tabs
        value={active}
        onChange={(v) => navigate(TABS.find((t) => t.value === v)?.path ?? '/integrations/slack')}
      >
        <Tabs.List>
          {TABS.map((t) => (
            <Tabs.Tab key={t.value} value={t.value}>
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="slack" pt="md">
          {active === 'slack' && <SlackSettings />}
        </Tabs.Panel>
        <Tabs.Panel value="itsm" pt="md">
          {active === 'itsm' && <ItsmSettings />}
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
