import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * Whether the module at `moduleUrl` is the script node was started with (following the npm bin
 * symlink), i.e. whether it should run rather than only export.
 */
export function isEntryPoint(moduleUrl: string): boolean {
  return !!process.argv[1] && moduleUrl === pathToFileURL(realpathSync(process.argv[1])).href;
}
