import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';

/** One handler of one controller, with the paths Nest mounts it on. */
export interface DiscoveredRoute {
  readonly controller: new (...args: never[]) => object;
  /** The handler function (what `ExecutionContext.getHandler()` returns). */
  readonly handler: () => void;
  /** `GreetController.greet`, for messages. */
  readonly site: string;
  /** `GET`, `POST`, … or `ALL`. */
  readonly method: string;
  /** Full paths such as `/greet/languages`. */
  readonly paths: readonly string[];
}

/**
 * Every route handler of the application, read from the controllers' decorator metadata: what
 * the pre-routing tables (CORS policies, rate limits) are built from. Works as soon as the
 * modules are scanned, before any instance exists.
 */
export function discoverRoutes(
  discovery: DiscoveryService,
  scanner: MetadataScanner,
): DiscoveredRoute[] {
  const routes: DiscoveredRoute[] = [];
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
    if (!controller) continue;
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name] as () => void;
      const methodPath: unknown = Reflect.getMetadata(PATH_METADATA, handler);
      if (methodPath === undefined) continue;
      routes.push({
        controller,
        handler,
        site: `${controller.name}.${name}`,
        method: RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number],
        paths: joinPaths(Reflect.getMetadata(PATH_METADATA, controller), methodPath),
      });
    }
  }
  return routes;
}

function joinPaths(controllerPaths: unknown, methodPaths: unknown): string[] {
  const list = (value: unknown): string[] =>
    (Array.isArray(value) ? value : [value ?? '']).map((p) => String(p).replace(/^\/+|\/+$/g, ''));
  return list(controllerPaths).flatMap((base) =>
    list(methodPaths).map((sub) => `/${[base, sub].filter((p) => p !== '').join('/')}`),
  );
}
