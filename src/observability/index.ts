export * from './monitoring-stack.js';
export * from './scrape-metrics.js';
export * from './prometheus-alerts.js';
export * from './gpu-platform-alerts.js';
export * from './grafana-dashboards.js';
export * from './metrics-server.js';
