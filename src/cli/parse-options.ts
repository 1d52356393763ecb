import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './main.js';

/**
 * `node:util` parseArgs (strict), with its errors (unknown option, missing value) turned into a
 * {@link UsageError}, so every command reports them the same way and exits 2.
 */
export function parseOptions<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
