import { enableCompileCache } from 'node:module';

/**
 * Imported first by main.ts, before Nest and the rest load: Node keeps the compiled code of every
 * module it loads in a cache directory and reuses it at the next start, which skips most of the
 * parsing and compiling of ~1,500 modules. The directory is NODE_COMPILE_CACHE when set (the image
 * sets it to a cache built into it), else Node's own default under the OS temp directory. A
 * directory that cannot be written only costs the speed-up: Node never fails the start for it.
 */
enableCompileCache();
