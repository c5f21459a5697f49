import { Module } from '@nestjs/common';
import { corsOptionsFromEnv, StrictCorsModule, type StrictCorsMode } from 'nest-strict-cors';
import { AppController } from './app.controller';

@Module({
  imports: [
    // forRootAsync with the package's env reader: CORS_ALLOWED_ORIGINS, CORS_ALLOW_CREDENTIALS, …
    StrictCorsModule.forRootAsync({
      useFactory: () => ({
        ...corsOptionsFromEnv(),
        mode: (process.env.CORS_MODE ?? 'middleware') as StrictCorsMode,
      }),
    }),
  ],
  controllers: [AppController],
})
export class AppModule {}
