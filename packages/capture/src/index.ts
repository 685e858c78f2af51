export type { CaptureEngine, CaptureEngineOptions, ConnectionEndpoints } from './capture-engine.js';
export { createCaptureEngine } from './capture-engine.js';
export type { PacketSink } from './capture-reader.js';
export { CaptureFormatError, CaptureReader } from './capture-reader.js';
export type { ReadFlowsOptions } from './capture-source.js';
export { openCaptureSource, readCaptureFile, readFlows } from './capture-source.js';
export type { ExchangeRecord, FlowCloseReason, FlowRecord } from './flow.js';
export { formatIp } from './ip-format.js';
export type { CaptureStats } from './packet-info.js';
export type { InitialKeys } from './quic-initial.js';
export {
  decryptInitialPacket,
  deriveInitialKeys,
  deriveInitialSecret,
  LongHeader,
  parseLongHeader,
  QUIC_V1,
  QUIC_V2,
} from './quic-initial.js';
export type { ClientHelloInfo, ExtractResult } from './tls-client-hello.js';
export { extractClientHello, HandshakeStatus, parseClientHello } from './tls-client-hello.js';
