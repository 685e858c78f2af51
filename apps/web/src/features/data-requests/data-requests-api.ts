import { api } from '../../api.js';

export type DataRequestKind = 'access' | 'erasure';
export type DataRequestRegime = 'gdpr' | 'ccpa';

export interface DataRequest {
  id: string;
  kind: DataRequestKind;
  regime: DataRequestRegime;
  status: 'open' | 'completed' | 'rejected';
  outcome: string | null;
  subject: { user_id: string; email: string; name: string } | null;
  pseudonym: string;
  submitted_at: string;
  due_at: string;
  completed_at: string | null;
  overdue: boolean;
  export_available: boolean;
}

export const listMyRequests = () => api<{ data: DataRequest[] }>('/v1/me/data-requests');
export const submitRequest = (kind: DataRequestKind, regime: DataRequestRegime) =>
  api<DataRequest>('/v1/me/data-requests', { method: 'POST', body: { kind, regime } });
export const listQueue = () => api<{ data: DataRequest[] }>('/v1/data-requests');
export const fulfilAccess = (id: string) =>
  api<DataRequest>(`/v1/data-requests/${id}/fulfil`, { method: 'POST' });
export const executeErasure = (id: string) =>
  api<DataRequest>(`/v1/data-requests/${id}/erase`, { method: 'POST', body: { confirm: 'ERASE' } });

export const KIND_LABEL: Record<DataRequestKind, string> = {
  access: 'Copy of my data',
  erasure: 'Erase my data',
};
export const REGIME_LABEL: Record<DataRequestRegime, string> = {
  gdpr: 'GDPR (30 days)',
  ccpa: 'CCPA (45 days)',
};

/** Whole days until `iso` (negative once past). */
export function daysUntil(iso: string, now = Date.now()): number {
  return Math.ceil((Date.parse(iso) - now) / 86_400_000);
}
