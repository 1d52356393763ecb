export * from './hostname.js';
export * from './gateway-api-crds.js';
export * from './gateway-controller.js';
export * from './cert-manager.js';
export * from './acme-cluster-issuer.js';
export * from './ingress-gateway.js';
export * from './expose-http.js';
