import { Module } from '@nestjs/common';
import { GreetController } from './greet.controller';
import { GreetService } from './greet.service';
import { HealthController } from './health.controller';

@Module({
  controllers: [GreetController, HealthController],
  providers: [GreetService],
})
export class AppModule {}
