import { Alert, Badge, Card, Group, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api.js';
import { Chart } from '../../components/chart.js';

interface ForecastAnswer {
  history: Array<{ date: string; tokens: number; source: string }>;
  forecast: {
    trend: 'Accelerating' | 'Steady' | 'Decelerating' | 'Declining';
    total: number;
    points: Array<{ date: string; value: number; lower_95: number; upper_95: number }>;
    backtest: { holdout_days: number; mape: number | null; naive_mape: number | null };
  } | null;
  reason: string | null;
}

const TREND_COLOR = {
  Accelerating: 'orange',
  Steady: 'blue',
  Decelerating: 'teal',
  Declining: 'gray',
} as const;
const pct = (x: number | null) => (x === null ? '—' : `${x.toFixed(1)}%`);

/** Usage Forecast: 30/90 days forward with a 95 % band, trend class and backtest error. */
export function ForecastPage() {
  const [horizon, setHorizon] = useState('30');
  const answer = useQuery({
    queryKey: ['forecast', horizon],
    queryFn: () => api<ForecastAnswer>(`/v1/forecasts?horizon=${horizon}`),
  });
  const data = answer.data;
  const f = data?.forecast;
  const dates = [...(data?.history ?? []).map((d) => d.date), ...(f?.points ?? []).map((p) => p.date)];
  const pad = (n: number) => Array.from({ length: n }, () => null);
  const history = data?.history ?? [];
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Usage forecast</Title>
        <SegmentedControl
          value={horizon}
          onChange={setHorizon}
          data={['30', '90'].map((v) => ({ value: v, label: `${v} days` }))}
        />
      </Group>
      {data?.reason && <Alert color="yellow">{data.reason}</Alert>}
      {f && (
        <Group>
          <Badge size="lg" color={TREND_COLOR[f.trend]} data-testid="trend-class">
            {f.trend}
          </Badge>
          <Text>
            Next {horizon} days: {Math.round(f.total).toLocaleString()} tokens
          </Text>
          <Text c="dimmed" size="sm">
            Backtest ({f.backtest.holdout_days} days held out): MAPE {pct(f.backtest.mape)} vs seasonal naive{' '}
            {pct(f.backtest.naive_mape)}
          </Text>
        </Group>
      )}
      <Card withBorder>
        <Chart
          label="Daily tokens: history and forecast with 95% interval"
          option={{
            tooltip: { trigger: 'axis' },
            legend: {},
            xAxis: { type: 'category', data: dates },
            yAxis: { type: 'value' },
            series: [
              { name: 'History', type: 'line', showSymbol: false, data: history.map((d) => d.tokens) },
              {
                name: 'Forecast',
                type: 'line',
                showSymbol: false,
                data: [...pad(history.length), ...(f?.points ?? []).map((p) => Math.round(p.value))],
              },
              {
                name: 'Lower 95%',
                type: 'line',
                showSymbol: false,
                lineStyle: { type: 'dashed' },
                data: [...pad(history.length), ...(f?.points ?? []).map((p) => Math.round(p.lower_95))],
              },
              {
                name: 'Upper 95%',
                type: 'line',
                showSymbol: false,
                lineStyle: { type: 'dashed' },
                data: [...pad(history.length), ...(f?.points ?? []).map((p) => Math.round(p.upper_95))],
              },
            ],
          }}
        />
      </Card>
    </Stack>
  );
}
