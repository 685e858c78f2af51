// Test-only helpers (synthetic packets, pcap rewriting, loopback labs); not part of the runtime API.
export * from './conversation.js';
export * from './loopback-lab.js';
export * from './packet-builder.js';
export * from './pcap-tools.js';
export * from './quic-vectors.js';
