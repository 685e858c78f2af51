import { useMemo } from 'react';
import { Chart, type ChartOption } from '../../components/chart.js';
import { formatCompact } from '../../format.js';
import type { ShadowAiDay } from './types.js';

const total = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);

const fmt = (n: number | null | undefined) => (n === null || n === undefined ? '—' : formatCompact(n));

/** The day's figures, with the band as its two edges rather than the stacked series. */
function tooltipOf(days: ShadowAiDay[], params: unknown): string {
  const index = (params as Array<{ dataIndex: number }>)[0]?.dataIndex ?? -1;
  const d = days[index];
  if (!d) return '';
  return [
    `<strong>${d.date}</strong>`,
    `Provider-reported: ${fmt(total(d.reconciled_input_tokens, d.reconciled_output_tokens))}`,
    `Agent-observed (calibrated): ${fmt(d.observed_input_tokens + d.observed_output_tokens)}`,
    `Gap: ${fmt(d.gap_tokens)}${d.band ? ` (95% band ${fmt(d.band.lower)} – ${fmt(d.band.upper)})` : ''}`,
  ].join('<br/>');
}

/**
 * Provider-reported vs agent-observed (calibrated) tokens per day, and the gap between them with
 * its 95% band: the band is two stacked series, an invisible lower edge plus the band's width.
 */
export function GapChart({ days, providerLabel }: { days: ShadowAiDay[]; providerLabel: string }) {
  const option = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis', formatter: (params: unknown) => tooltipOf(days, params) },
      legend: { top: 0, data: ['Provider-reported', 'Agent-observed (calibrated)', 'Gap', '95% band'] },
      grid: { left: 56, right: 16, top: 40, bottom: 28 },
      xAxis: { type: 'category', data: days.map((d) => d.date.slice(5)) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatCompact(v) } },
      series: [
        {
          name: 'Provider-reported',
          type: 'line',
          data: days.map((d) => total(d.reconciled_input_tokens, d.reconciled_output_tokens)),
        },
        {
          name: 'Agent-observed (calibrated)',
          type: 'line',
          data: days.map((d) => d.observed_input_tokens + d.observed_output_tokens),
        },
        {
          name: 'Band lower',
          type: 'line',
          stack: 'band',
          stackStrategy: 'all',
          symbol: 'none',
          lineStyle: { opacity: 0 },
          data: days.map((d) => d.band?.lower ?? null),
        },
        {
          name: '95% band',
          type: 'line',
          stack: 'band',
          stackStrategy: 'all',
          symbol: 'none',
          color: '#fd7e14',
          lineStyle: { opacity: 0 },
          areaStyle: { opacity: 0.25 },
          data: days.map((d) => (d.band ? d.band.upper - d.band.lower : null)),
        },
        {
          name: 'Gap',
          type: 'line',
          color: '#e8590c',
          lineStyle: { width: 2, type: 'dashed' },
          data: days.map((d) => d.gap_tokens),
        },
      ],
    }),
    [days],
  );
  return (
    <Chart
      option={option}
      height={340}
      label={`${providerLabel}: provider-reported vs agent-observed tokens per day, with the gap and its 95% band`}
    />
  );
}
