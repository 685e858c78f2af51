/** Money as the API prices it (USD): cents, and sub-cent amounts visibly rather than as $0.00. */
export function formatMoney(n: number, currency = 'USD'): string {
  const digits = n !== 0 && Math.abs(n) < 0.01 ? 4 : 2;
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    minimumFractionDigits: 2,
    maximumFractionDigits: digits,
  }).format(n);
}
