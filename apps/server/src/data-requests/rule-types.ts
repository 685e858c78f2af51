import type { Tx } from '@toktra/db';
import type { RawBuilder } from 'kysely';
import type { AppContext } from '../context.js';
import type { Subject } from './subject.js';

type Fragment = RawBuilder<unknown>;

/** A table that holds data about people: what an access export reads and an erasure does. */
export interface PersonalRule {
  table: string;
  personal: true;
  /** Rows about the subject (an SQL condition on the table's own columns). */
  about?: (s: Subject) => Fragment;
  /** What erasure does to those rows: delete them, or SET the given pseudonymising assignments. */
  onRows?: 'delete' | ((s: Subject) => Fragment);
  /** uuid columns of other rows that point at the subject: cleared, or moved to the pseudonym. */
  links?: Record<string, 'null' | 'pseudonym'>;
  /** Free-text / jsonb columns in which every identifier of the subject is replaced (all rows). */
  redact?: string[];
  /** Work SQL alone cannot do (files on disk, the audit chain). Runs after the steps above. */
  custom?: (ctx: AppContext, tx: Tx, s: Subject) => Promise<number>;
  why: string;
}

/** A table with nothing about individual people (checked by erasure-rules.test.ts). */
export interface NotPersonalRule {
  table: string;
  personal: false;
  why: string;
}

export type ErasureRule = PersonalRule | NotPersonalRule;
