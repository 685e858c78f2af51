import type { FlowRecord } from '@toktra/capture';
import { type Catalogue, newEventId } from '@toktra/core';

/** What the agent sends per AI connection: metadata only — never a payload byte. */
export interface AgentEvent {
  id: string;
  occurred_at: string;
  ended_at: string;
  host: string;
  transport: 'tcp' | 'quic';
  bytes_up: number;
  bytes_down: number;
  duration_ms: number;
  os_user?: string;
  /** The socket's owner could not be learnt and the device has several accounts: charge nobody. */
  os_user_unknown?: true;
  /** Capture mode: the connection (a UUIDv7 made on the device) and the exchange's number on it. */
  connection_id?: string;
  seq?: number;
  personal?: true;
  source: 'agent' | 'proxy';
}

/**
 * Turns a finished connection (proxy mode) or one exchange of a connection (capture mode) into an
 * event, or null when it is not to an AI host we know:
 * other hostnames never leave the device. The event id is a UUIDv7 made here, so a resend
 * after a crash is deduplicated by the server.
 */
export function toAgentEvent(
  flow: Pick<FlowRecord, 'sni' | 'transport' | 'startedAt' | 'endedAt' | 'bytesUp' | 'bytesDown'>,
  catalogue: Catalogue,
  extra: {
    osUser?: string;
    osUserUnknown?: boolean;
    personal?: boolean;
    source?: 'agent' | 'proxy';
    connection?: { id: string; seq: number };
  } = {},
): AgentEvent | null {
  if (!flow.sni || !catalogue.classify(flow.sni)) return null;
  return {
    id: newEventId(),
    occurred_at: new Date(flow.startedAt).toISOString(),
    ended_at: new Date(Math.max(flow.endedAt, flow.startedAt)).toISOString(),
    host: flow.sni,
    transport: flow.transport,
    bytes_up: flow.bytesUp,
    bytes_down: flow.bytesDown,
    duration_ms: Math.max(0, Math.round(flow.endedAt - flow.startedAt)),
    ...(extra.osUser
      ? { os_user: extra.osUser }
      : extra.osUserUnknown
        ? { os_user_unknown: true as const }
        : {}),
    ...(extra.connection ? { connection_id: extra.connection.id, seq: extra.connection.seq } : {}),
    ...(extra.personal ? { personal: true as const } : {}),
    source: extra.source ?? 'agent',
  };
}
