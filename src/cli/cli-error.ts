import { fsErrorReason } from '../core/fs-errors.js';

/**
 * One line for any error a command can end with: `path: message` for file-system errors (no
 * `EACCES:` prefix, no stack), the error's own first line otherwise. The CLI prints the stack only
 * with `--debug`.
 */

/** Bad input found by a command (a missing or unreadable file, an app that throws): exit 2. */
export class CliInputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliInputError';
  }
}

/** Whether `error` is a Node.js system error (it has an errno code). */
export function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return typeof error === 'object' && error !== null && typeof (error as NodeJS.ErrnoException).code === 'string' && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

/** The one-line description of `error` (see the module comment). */
export function describeError(error: unknown): string {
  if (isSystemError(error)) {
    const reason = fsErrorReason(error);
    return error.path ? `${error.path}: ${reason}` : reason;
  }
  if (error instanceof RangeError && /Invalid string length/.test(error.message)) {
    return 'the output is larger than the longest string JavaScript can build (about 512 MiB); narrow the input or use another format';
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0];
}
