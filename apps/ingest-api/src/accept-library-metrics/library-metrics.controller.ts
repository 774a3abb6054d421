import { Controller, HttpCode, Post } from '@nestjs/common';

/**
 * analytics.js posts its own telemetry (`{ series: [...] }`: how many events it sent,
 * retried, dropped) to `<apiHost>/m` when its settings ask for it. It is not tenant
 * data and carries no key; it is answered 200 and dropped, so a browser pointed at
 * Tally shows no failed request and the library does not retry it.
 */
@Controller()
export class LibraryMetricsController {
  @Post('v1/m')
  @HttpCode(200)
  accept(): { success: true } {
    return { success: true };
  }
}
