/**
 * Numbers people read in alert titles and audit lines: compact (21.9M, 12.3k) where the exact
 * figure sits in the alert's details, money with cents (sub-cent amounts keep 4 decimals).
 */
export function formatCompact(n: number): string {
  const abs = Math.abs(n);
  const scaled = (div: number, suffix: string) => {
    const v = n / div;
    const digits = Math.abs(v) >= 100 ? 0 : 1;
    return `${Number(v.toFixed(digits)).toLocaleString('en-US')}${suffix}`;
  };
  if (abs >= 1e9) return scaled(1e9, 'B');
  if (abs >= 1e6) return scaled(1e6, 'M');
  if (abs >= 1e4) return scaled(1e3, 'k');
  return Math.round(n).toLocaleString('en-US');
}

export function formatMoney(n: number, currency = 'USD'): string {
  const digits = n !== 0 && Math.abs(n) < 0.01 ? 4 : 2;
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    minimumFractionDigits: 2,
    maximumFractionDigits: digits,
  }).format(n);
}

/** "21.9M of 20M tokens" or "$9.50 of $10.00". */
export function formatUsedOf(used: number, limit: number | null, unit: 'tokens' | 'cost'): string {
  if (unit === 'cost')
    return limit === null ? formatMoney(used) : `${formatMoney(used)} of ${formatMoney(limit)}`;
  return limit === null
    ? `${formatCompact(used)} tokens`
    : `${formatCompact(used)} of ${formatCompact(limit)} tokens`;
}
