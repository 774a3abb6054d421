import { Controller, Get, Module, type DynamicModule } from '@nestjs/common';

/** Serves an app's OpenAPI document at `/docs` (and `/docs/openapi.json`), built once at boot. */
@Module({})
export class OpenApiModule {
  static forRoot(document: Record<string, unknown>): DynamicModule {
    @Controller('docs')
    class OpenApiController {
      @Get(['', 'openapi.json'])
      describe(): Record<string, unknown> {
        return document;
      }
    }
    return { module: OpenApiModule, controllers: [OpenApiController] };
  }
}
