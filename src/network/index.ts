export * from './network-endpoint.js';
export * from './cidr.js';
export * from './network-port.js';
export * from './network-peer.js';
export * from './workload-network-policy.js';
export * from './network-rules.js';
