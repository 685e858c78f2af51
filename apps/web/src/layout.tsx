import {
  ActionIcon,
  AppShell,
  Badge,
  Burger,
  Button,
  Group,
  NavLink,
  Stack,
  Text,
  Title,
  Tooltip,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { Outlet, NavLink as RouterLink, useLocation, useNavigate } from 'react-router';
import type { Permission } from './api.js';
import { api, setCsrfToken } from './api.js';
import { hasPermission, useMe } from './auth.js';
import { useLiveUsage } from './live.js';

/** Each link carries the permission its route requires (app.tsx), so no link bounces. */
const ADMIN_LINKS: Array<{ to: string; label: string; end: boolean; permission: Permission }> = [
  { to: '/', label: 'Overview', end: true, permission: 'dashboard:view' },
  { to: '/usage', label: 'Usage', end: false, permission: 'dashboard:view' },
  { to: '/devices', label: 'Devices', end: false, permission: 'dashboard:view' },
  { to: '/users', label: 'Users', end: false, permission: 'users:write' },
  { to: '/budgets', label: 'Budgets', end: false, permission: 'departments:read' },
  { to: '/performance', label: 'Performance', end: false, permission: 'users:read' },
  { to: '/scorecards', label: 'Scorecards', end: false, permission: 'users:read' },
  { to: '/forecast', label: 'Forecast', end: false, permission: 'dashboard:view' },
  { to: '/exports', label: 'Exports', end: false, permission: 'dashboard:view' },
  { to: '/governance', label: 'Governance', end: false, permission: 'audit:read' },
  { to: '/shadow-ai', label: 'Shadow AI', end: false, permission: 'dashboard:view' },
  { to: '/integrations/slack', label: 'Integrations', end: false, permission: 'settings:manage' },
];

function ColorSchemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light');
  const next = scheme === 'dark' ? 'light' : 'dark';
  return (
    <Tooltip label={`Switch to ${next} mode`}>
      <ActionIcon
        variant="default"
        size="lg"
        aria-label={`Switch to ${next} mode`}
        onClick={() => setColorScheme(next)}
      >
        <span aria-hidden="true">{scheme === 'dark' ? '☀' : '☾'}</span>
      </ActionIcon>
    </Tooltip>
  );
}

export function Layout() {
  const me = useMe().data;
  const [opened, { toggle, close }] = useDisclosure();
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();
  const admin = hasPermission(me, 'dashboard:view');
  const live = useLiveUsage(!!me);

  const signOut = async () => {
    await api('/auth/sign-out', { method: 'POST' }).catch(() => undefined);
    setCsrfToken(null);
    queryClient.clear();
    navigate('/sign-in');
  };

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
            />
            <Title order={1} size="h3">
              Toktra
            </Title>
            <Text c="dimmed" size="sm" visibleFrom="xs">
              {me?.org.name}
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Badge
              color={live.connected ? 'teal' : 'gray'}
              variant="filled"
              aria-live="polite"
              data-testid="live-status"
            >
              {live.connected ? 'Live' : 'Offline'}
            </Badge>
            <ColorSchemeToggle />
            <Button variant="default" onClick={signOut}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label="Main">
        <Stack gap={4}>
          {admin &&
            ADMIN_LINKS.filter((link) => hasPermission(me, link.permission)).map((link) => (
              <NavLink
                variant="filled"
                key={link.to}
                component={RouterLink}
                to={link.to}
                end={link.end}
                active={link.end ? location.pathname === link.to : location.pathname.startsWith(link.to)}
                label={link.label}
                onClick={close}
              />
            ))}
          {hasPermission(me, 'settings:manage') && (
            <NavLink
              variant="filled"
              component={RouterLink}
              to="/settings/provider-connections"
              active={location.pathname.startsWith('/settings')}
              label="Settings"
              description="Provider connections"
              onClick={close}
            />
          )}
          {hasPermission(me, 'settings:manage') && (
            <NavLink
              variant="filled"
              component={RouterLink}
              to="/token-perks"
              active={location.pathname === '/token-perks'}
              label="Token Perks"
              onClick={close}
            />
          )}
          {hasPermission(me, 'settings:manage') && (
            <NavLink
              variant="filled"
              component={RouterLink}
              to="/data-requests"
              active={location.pathname === '/data-requests'}
              label="Data requests"
              onClick={close}
            />
          )}
          <NavLink
            variant="filled"
            component={RouterLink}
            to="/portal"
            active={location.pathname === '/portal'}
            label="My usage"
            onClick={close}
          />
          <NavLink
            variant="filled"
            component={RouterLink}
            to="/reimbursements"
            active={location.pathname.startsWith('/reimbursements')}
            label="Reimbursements"
            onClick={close}
          />
        </Stack>
        <Text size="xs" c="dimmed" mt="auto" pt="md">
          {me?.user?.email} · {me?.principal.role}
        </Text>
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
