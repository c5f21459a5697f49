import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { AppConfig, appConfig } from '../config/app.config';
import { ConfigValidationError } from '../config/config-validation.error';
import { CorsConfig, corsConfig } from '../cors/cors.config';
import { StrictCorsHandler, StrictCorsRoutes } from 'nest-strict-cors';
import { explainCors, Explanation } from '../cors/cors-explainer';
import { describePolicies } from '../cors/cors-policy.description';
import { formatExplanation } from './explain-format';
import { parseExplainArgs, USAGE, UsageError } from './explain-args';

/**
 * `npm run cors:explain`: "why is my front end blocked?" answered by the service's own code. The
 * application context is built from the same module as the service (same configuration loading
 * and validation, same @CorsPolicy discovery) but never listens on a port.
 */
async function main(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseExplainArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`cors:explain: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let explanation: Explanation;
  try {
    const app = await NestFactory.createApplicationContext(await AppModule.register(), {
      logger: false,
      abortOnError: false,
    });
    const cors = app.get<CorsConfig>(corsConfig.KEY);
    for (const warning of cors.warnings) process.stderr.write(`Warning: ${warning}\n`);
    const { docsEnabled } = app.get<AppConfig>(appConfig.KEY);
    const routes = app.get(StrictCorsRoutes);
    explanation = explainCors(
      app.get(StrictCorsHandler),
      routes,
      describePolicies(routes, cors),
      args.query,
      { docsEnabled },
    );
  } catch (error) {
    // The same lines the service prints when it refuses to start.
    if (error instanceof ConfigValidationError) {
      for (const problem of error.problems)
        process.stderr.write(`Invalid configuration: ${problem}\n`);
    } else {
      process.stderr.write(
        `Startup failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    }
    return 2;
  }
  process.stdout.write(
    args.json
      ? `${JSON.stringify(explanation, null, 2)}\n`
      : formatExplanation(args.query, explanation),
  );
  return explanation.decision === 'refused' ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `cors:explain failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(2);
  },
);
