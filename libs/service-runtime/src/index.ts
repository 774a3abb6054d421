export { HttpErrorFilter, errorBody, type ErrorBody } from './lib/http-error.filter';
export {
  failBoot,
  startHttpService,
  type HttpListenConfig,
  type HttpServiceOptions,
} from './lib/start-http-service.util';
export { ZodValidationPipe } from './lib/zod-validation.pipe';
export { OpenApiModule } from './lib/openapi.module';
export { BodyError, parseJsonBody } from './lib/json-body.util';
