import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { RequireJsonMiddleware } from '../common/middleware/require-json.middleware';
import { GreetController } from './greet.controller';
import { GreetService } from './greet.service';

@Module({
  controllers: [GreetController],
  providers: [GreetService],
})
export class GreetModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequireJsonMiddleware).forRoutes({ path: 'greet', method: RequestMethod.POST });
  }
}
