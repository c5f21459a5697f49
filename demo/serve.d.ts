// Types of serve.js (plain CommonJS, so `npm run demo` needs no build) for the TypeScript specs.
import type { Server } from 'node:http';

export interface DemoServer {
  readonly server: Server;
  readonly host: string;
  readonly port: number;
  /** e.g. `http://127.0.0.1:40123` (no trailing slash) */
  readonly url: string;
  close(): Promise<void>;
}

export interface DemoServerOptions {
  /** Default 1234; 0 picks a free port. */
  port?: number;
  /** Default `localhost`. */
  host?: string;
}

export type ResolvedTarget =
  | { readonly file: string; readonly contentType: string; readonly status?: undefined }
  | { readonly status: 400 | 404; readonly file?: undefined };

export declare function startDemoServer(options?: DemoServerOptions): Promise<DemoServer>;
export declare function resolveTarget(target: string): ResolvedTarget;
export declare function parseArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): { port: number; host: string };
export declare const DEFAULT_PORT: 1234;
export declare const DEFAULT_HOST: 'localhost';
