export { HttpErrorFilter, type ErrorBody } from './lib/http-error.filter';
export { failBoot, startHttpService, type HttpListenConfig } from './lib/start-http-service.util';
export { ZodValidationPipe } from './lib/zod-validation.pipe';
