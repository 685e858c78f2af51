import type { ColumnType, Generated } from 'kysely';

export type CertificateAuthorityKind = 'root' | 'org';

/** System table (no tenant RLS): the Toktra root CA and each org's issuing CA. */
export interface CertificateAuthoritiesTable {
  id: Generated<string>;
  kind: CertificateAuthorityKind;
  /** null for the root. */
  org_id: string | null;
  certificate_pem: string;
  /** PKCS#8 PEM, envelope-encrypted with the server master key (apps/server/src/secrets). */
  private_key_encrypted: string;
  fingerprint_sha256: string;
  not_after: Date;
  status: Generated<'active' | 'retired'>;
  created_at: ColumnType<Date, never, never>;
}

export interface PartialDB {
  certificate_authorities: CertificateAuthoritiesTable;
}
