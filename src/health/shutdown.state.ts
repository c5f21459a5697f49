import { Injectable, OnModuleDestroy } from '@nestjs/common';

/**
 * Flips when the application starts closing. Nest calls onModuleDestroy before it closes the HTTP
 * server, so readiness turns 503 while in-flight requests still drain and a load balancer stops
 * sending new ones.
 */
@Injectable()
export class ShutdownState implements OnModuleDestroy {
  private shuttingDown = false;

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  onModuleDestroy(): void {
    this.shuttingDown = true;
  }
}
