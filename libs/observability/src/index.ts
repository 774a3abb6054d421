export { HealthModule } from './lib/health/health.module';
export type { ReadinessCheck } from './lib/health/readiness-check';
export {
  REDACTED_PATHS,
  REQUEST_ID_HEADER,
  SERVICE_LOGGER,
  createLoggerModule,
  createServiceLogger,
  requestIdOf,
  type ServiceIdentity,
} from './lib/logging/logger-module.factory';
export { addRequestLogFields, logRequests } from './lib/logging/request-log.hook';
export { instrumentHttp } from './lib/metrics/http-metrics.hook';
export { METRICS_REGISTRY } from './lib/metrics/metrics.controller';
export { MetricsModule } from './lib/metrics/metrics.module';
export { createMetricsRegistry } from './lib/metrics/metrics.registry';
