/** Today's date (YYYY-MM-DD) in the org's time zone, and the range ending today. */
export function todayIn(timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(new Date())
    .slice(0, 10);
}

export function rangeEndingToday(timeZone: string, days: number): { start: string; end: string } {
  const end = todayIn(timeZone);
  const start = new Date(`${end}T00:00:00Z`);
  start.setUTCDate(start.getUTCDate() - (days - 1));
  return { start: start.toISOString().slice(0, 10), end };
}
