/**
 * Every API call the dashboard's pages make on load (apps/web/src/pages and features), with the
 * Usage page's ranges, filters and the API's groupings. Shared by the benchmark and the CI plan
 * guard (apps/server/test/dashboard-plans.test.ts).
 */
export interface DashboardCall {
  page: string;
  label: string;
  url: string;
}

const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);

export function dashboardCalls(ids: { department: string; user: string }): DashboardCall[] {
  const range = (days: number) => `start_date=${day(days - 1)}&end_date=${day(0)}`;
  const usage: DashboardCall[] = [];
  for (const days of [7, 30, 90]) {
    for (const group of ['provider', 'user']) {
      usage.push({
        page: 'Usage',
        label: `usage ${days}d by ${group}`,
        url: `/v1/usage?group_by=${group}&${range(days)}`,
      });
    }
  }
  for (const group of ['day', 'department', 'model']) {
    usage.push({
      page: 'Usage',
      label: `usage 30d by ${group}`,
      url: `/v1/usage?group_by=${group}&${range(30)}`,
    });
  }
  const filters: Array<[string, string]> = [
    ['department (subtree)', `department_id=${ids.department}`],
    ['user', `user_id=${ids.user}`],
    ['provider', 'provider=openai'],
    ['model', 'model=gpt-4o'],
  ];
  for (const [name, filter] of filters) {
    for (const group of ['provider', 'user']) {
      usage.push({
        page: 'Usage',
        label: `usage 90d ${name} by ${group}`,
        url: `/v1/usage?group_by=${group}&${range(90)}&${filter}`,
      });
    }
  }
  return [
    { page: 'every page', label: 'me', url: '/v1/me' },
    { page: 'Overview', label: 'overview', url: '/v1/overview' },
    { page: 'Usage, Devices, Budgets', label: 'directory', url: '/v1/overview/directory' },
    ...usage,
    { page: 'Devices', label: 'devices', url: '/v1/devices?limit=500' },
    { page: 'Budgets', label: 'budgets', url: '/v1/budgets' },
    { page: 'Budgets', label: 'department tree', url: '/v1/departments/tree' },
    { page: 'Budgets', label: 'exemptions', url: '/v1/exemptions?status=requested' },
    { page: 'Performance', label: 'scores', url: '/v1/performance/scores' },
    { page: 'Performance', label: 'leaderboard', url: '/v1/performance/leaderboard?anonymize=false' },
    {
      page: 'Performance',
      label: 'leaderboard anonymised, department',
      url: `/v1/performance/leaderboard?anonymize=true&department_id=${ids.department}`,
    },
    { page: 'Performance', label: 'teams', url: '/v1/performance/teams' },
    { page: 'Scorecards', label: 'scorecards departments', url: '/v1/scorecards?subject_type=department' },
    { page: 'Scorecards', label: 'scorecards teams', url: '/v1/scorecards?subject_type=team' },
    { page: 'Scorecards', label: 'scorecards employees', url: '/v1/scorecards?subject_type=employee' },
    { page: 'Forecast', label: 'forecast 30', url: '/v1/forecasts?horizon=30' },
    { page: 'Forecast', label: 'forecast 90', url: '/v1/forecasts?horizon=90' },
    { page: 'Shadow AI', label: 'shadow AI 30d', url: `/v1/shadow-ai?${range(30)}` },
    { page: 'Shadow AI', label: 'calibration', url: '/v1/calibration' },
    { page: 'Exports', label: 'scheduled reports', url: '/v1/reports' },
  ];
}
