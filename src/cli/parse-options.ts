import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './main.js';

/**
 * `node:util` parseArgs (strict), with its errors (unknown option, missing value) turned into a
 * {@link UsageError} of one line, so every command reports them the same way and exits 2.
 */
export function parseOptions<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const message = (error as Error).message;
    // parseArgs explains a value that starts with '-' in three lines: one is enough
    const ambiguous = /^Option '(-[-\w]+)' argument is ambiguous/.exec(message);
    if (ambiguous) throw new UsageError(`${ambiguous[1]}: a value that starts with '-' must be given as ${ambiguous[1]}=VALUE`);
    throw new UsageError(message.split('\n')[0]);
  }
}
