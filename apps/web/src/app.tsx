import { Center, Loader } from '@mantine/core';
import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { RequireAuth } from './auth.js';
import { Layout } from './layout.js';

// Each page is its own chunk: the sign-in page does not download the charts.
const SignInPage = lazy(() => import('./pages/sign-in.js').then((m) => ({ default: m.SignInPage })));
const OverviewPage = lazy(() => import('./pages/overview.js').then((m) => ({ default: m.OverviewPage })));
const UsagePage = lazy(() => import('./pages/usage.js').then((m) => ({ default: m.UsagePage })));
const DevicesPage = lazy(() => import('./pages/devices.js').then((m) => ({ default: m.DevicesPage })));
const BudgetsPage = lazy(() =>
  import('./features/budgets/budgets-page.js').then((m) => ({ default: m.BudgetsPage })),
);
const GovernancePage = lazy(() =>
  import('./features/governance/governance-page.js').then((m) => ({ default: m.GovernancePage })),
);
const IntegrationsPage = lazy(() =>
  import('./features/integrations/integrations-page.js').then((m) => ({ default: m.IntegrationsPage })),
);
const ReimbursementsPage = lazy(() =>
  import('./features/reimbursements/reimbursements-page.js').then((m) => ({ default: m.ReimbursementsPage })),
);
const PerformancePage = lazy(() =>
  import('./features/performance/performance-page.js').then((m) => ({ default: m.PerformancePage })),
);
const ScorecardsPage = lazy(() =>
  import('./features/scorecards/scorecards-page.js').then((m) => ({ default: m.ScorecardsPage })),
);
const ForecastPage = lazy(() =>
  import('./features/forecast/forecast-page.js').then((m) => ({ default: m.ForecastPage })),
);
const ExportsPage = lazy(() =>
  import('./features/exports/exports-page.js').then((m) => ({ default: m.ExportsPage })),
);
const PerksAdminPage = lazy(() =>
  import('./features/perks/perks-admin-page.js').then((m) => ({ default: m.PerksAdminPage })),
);
const ProviderConnectionsPage = lazy(() =>
  import('./features/settings/provider-connections-page.js').then((m) => ({
    default: m.ProviderConnectionsPage,
  })),
);
const ShadowAiPage = lazy(() =>
  import('./features/reconciliation/shadow-ai-page.js').then((m) => ({ default: m.ShadowAiPage })),
);
const DataRequestsPage = lazy(() =>
  import('./features/data-requests/data-requests-page.js').then((m) => ({ default: m.DataRequestsPage })),
);
const UsersPage = lazy(() =>
  import('./features/users/users-page.js').then((m) => ({ default: m.UsersPage })),
);
const PortalPage = lazy(() => import('./pages/portal.js').then((m) => ({ default: m.PortalPage })));

const fallback = (
  <Center h="60vh">
    <Loader aria-label="Loading page" />
  </Center>
);

export function App() {
  return (
    <Suspense fallback={fallback}>
      <Routes>
        <Route path="/sign-in" element={<SignInPage />} />
        <Route
          element={
            <RequireAuth>
              <Layout />
            </RequireAuth>
          }
        >
          <Route
            index
            element={
              <RequireAuth permission="dashboard:view">
                <OverviewPage />
              </RequireAuth>
            }
          />
          <Route
            path="usage"
            element={
              <RequireAuth permission="dashboard:view">
                <UsagePage />
              </RequireAuth>
            }
          />
          <Route
            path="devices"
            element={
              <RequireAuth permission="dashboard:view">
                <DevicesPage />
              </RequireAuth>
            }
          />
          <Route
            path="users"
            element={
              <RequireAuth permission="users:write">
                <UsersPage />
              </RequireAuth>
            }
          />
          <Route
            path="budgets/*"
            element={
              <RequireAuth permission="departments:read">
                <BudgetsPage />
              </RequireAuth>
            }
          />
          <Route
            path="governance/*"
            element={
              <RequireAuth permission="audit:read">
                <GovernancePage />
              </RequireAuth>
            }
          />
          <Route
            path="integrations/*"
            element={
              <RequireAuth permission="settings:manage">
                <IntegrationsPage />
              </RequireAuth>
            }
          />
          <Route
            path="performance"
            element={
              <RequireAuth permission="users:read">
                <PerformancePage />
              </RequireAuth>
            }
          />
          <Route
            path="scorecards"
            element={
              <RequireAuth permission="users:read">
                <ScorecardsPage />
              </RequireAuth>
            }
          />
          <Route
            path="forecast"
            element={
              <RequireAuth permission="dashboard:view">
                <ForecastPage />
              </RequireAuth>
            }
          />
          <Route
            path="exports"
            element={
              <RequireAuth permission="dashboard:view">
                <ExportsPage />
              </RequireAuth>
            }
          />
          <Route
            path="shadow-ai"
            element={
              <RequireAuth permission="dashboard:view">
                <ShadowAiPage />
              </RequireAuth>
            }
          />
          <Route
            path="settings/provider-connections"
            element={
              <RequireAuth permission="settings:manage">
                <ProviderConnectionsPage />
              </RequireAuth>
            }
          />
          <Route
            path="token-perks"
            element={
              <RequireAuth permission="settings:manage">
                <PerksAdminPage />
              </RequireAuth>
            }
          />
          <Route
            path="data-requests"
            element={
              <RequireAuth permission="settings:manage">
                <DataRequestsPage />
              </RequireAuth>
            }
          />
          <Route path="reimbursements/*" element={<ReimbursementsPage />} />
          <Route path="portal" element={<PortalPage />} />
          <Route path="*" element={<Navigate to="/" replace />} />
        </Route>
      </Routes>
    </Suspense>
  );
}
