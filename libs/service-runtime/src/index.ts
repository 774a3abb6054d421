export { failBoot, startHttpService, type HttpListenConfig } from './lib/start-http-service.util';
