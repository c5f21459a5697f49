import { BadRequestException, Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { CorsPolicy } from 'nest-strict-cors';

/** How often each handler ran: a refused request must never add to these. */
const calls = { greet: 0, admin: 0 };

@Controller()
export class AppController {
  @Post('greet')
  @HttpCode(200)
  greet(@Body() body: { name?: unknown } | undefined): { greeting: string } {
    calls.greet++;
    if (typeof body?.name !== 'string') throw new BadRequestException('name must be a string');
    return { greeting: `Hello, ${body.name}!` };
  }

  @CorsPolicy({ origins: '*' })
  @Get('languages')
  languages(): string[] {
    return ['en', 'fr'];
  }

  @CorsPolicy({ origins: ['https://admin.example.com'], credentials: true })
  @Post('admin')
  @HttpCode(200)
  admin(): { ok: true } {
    calls.admin++;
    return { ok: true };
  }

  @Get('calls')
  calls(): typeof calls {
    return calls;
  }
}
