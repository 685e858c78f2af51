import { useComputedColorScheme } from '@mantine/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// Only what the dashboard draws: keeps the chart chunk small.
echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, SVGRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

function withDefaults(option: ChartOption): ChartOption {
  // ECharts' own aria would replace the container's label; the label names the chart instead.
  return { backgroundColor: 'transparent', aria: { enabled: false }, ...option };
}

/** An ECharts chart that follows the colour scheme and its container's size. */
export function Chart({
  option,
  height = 300,
  label,
}: {
  option: ChartOption;
  height?: number;
  label: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const latest = useRef(option);
  latest.current = option;
  const scheme = useComputedColorScheme('light');

  // Re-created when the colour scheme changes (ECharts themes apply at init).
  useEffect(() => {
    if (!ref.current) return;
    const instance = echarts.init(ref.current, scheme === 'dark' ? 'dark' : undefined, { renderer: 'svg' });
    instance.setOption(withDefaults(latest.current), { notMerge: true });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(ref.current);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, [scheme]);

  useEffect(() => {
    chart.current?.setOption(withDefaults(option), { notMerge: true });
  }, [option]);

  return <div ref={ref} role="img" aria-label={label} style={{ width: '100%', height }} />;
}
