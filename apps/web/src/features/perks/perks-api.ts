import { openPersonalUsage, type PersonalUsage, type SealedEntry, type WrappedKey } from '@toktra/perks';
import { api } from '../../api.js';

export interface Allowance {
  period: string;
  monthly_allowance_tokens: number;
  redeemed_tokens: number;
  remaining_tokens: number;
}

export interface MyPerks {
  enrollment: {
    id: string;
    public_key: string;
    wrapped_private_key: WrappedKey | null;
    created_at: string;
  } | null;
  allowance: Allowance | null;
}

interface EntryPage {
  data: Array<SealedEntry & { id: string; created_at: string; expires_at: string }>;
  next_cursor: string | null;
}

export const getMyPerks = () => api<MyPerks>('/v1/me/perks');

/**
 * Every unexpired entry of mine, opened here in the browser with my private key. The server
 * only ever hands out ciphertext; an entry that does not open (altered, or sealed for another
 * slot) is counted, not shown.
 */
export async function loadPersonalUsage(
  privateKey: string,
): Promise<{ usage: PersonalUsage[]; unreadable: number }> {
  const usage: PersonalUsage[] = [];
  let unreadable = 0;
  let after: string | null = null;
  do {
    const page: EntryPage = await api<EntryPage>(
      `/v1/me/perks/entries?limit=1000${after ? `&after=${encodeURIComponent(after)}` : ''}`,
    );
    for (const entry of page.data) {
      try {
        usage.push(await openPersonalUsage(privateKey, entry));
      } catch {
        unreadable += 1;
      }
    }
    after = page.next_cursor;
  } while (after);
  usage.sort((a, b) => b.occurred_at.localeCompare(a.occurred_at));
  return { usage, unreadable };
}

export const redeemAllowance = (period: string, amountTokens: number) =>
  api<Allowance>('/v1/me/perks/redemptions', {
    method: 'POST',
    body: { period, amount_tokens: amountTokens, client_id: crypto.randomUUID() },
  });
