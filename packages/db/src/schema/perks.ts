import type { ColumnType, Generated } from 'kysely';

/** The org's Token Perks budget per enrolled employee and calendar month. */
export interface PerkSettingsTable {
  org_id: string;
  monthly_allowance_tokens: ColumnType<number, number | undefined, number>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** An employee's opt-in: their X25519 public key and, optionally, the passphrase-wrapped private key. */
export interface PerkEnrollmentsTable {
  id: Generated<string>;
  org_id: string;
  user_id: string;
  public_key: string;
  /** A `WrappedKey` (@toktra/perks) the server cannot open. */
  wrapped_private_key: ColumnType<unknown | null, string | null, never>;
  created_at: ColumnType<Date, Date | undefined, never>;
}

/** One sealed personal event: HPKE ciphertext only. `created_at` is the arrival hour. */
export interface PerkLedgerEntriesTable {
  id: Generated<string>;
  org_id: string;
  enrollment_id: string;
  client_id: string;
  enc: string;
  ciphertext: string;
  created_at: ColumnType<Date, Date, never>;
  expires_at: ColumnType<Date, Date, never>;
}

/** An amount the employee redeemed against a month's allowance. */
export interface PerkRedemptionsTable {
  id: Generated<string>;
  org_id: string;
  enrollment_id: string;
  period: string;
  amount_tokens: number;
  client_id: string;
  created_at: ColumnType<Date, Date, never>;
  expires_at: ColumnType<Date, Date, never>;
}

export interface PartialDB {
  perk_settings: PerkSettingsTable;
  perk_enrollments: PerkEnrollmentsTable;
  perk_ledger_entries: PerkLedgerEntriesTable;
  perk_redemptions: PerkRedemptionsTable;
}
