import { jest } from '@jest/globals';
import { main } from '../../src/cli/main.js';

/** What a CLI run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a CLI entry (`main`, or one command module's `run`) in-process with `args`, capturing
 * everything written to standard output and error.
 */
export async function capture(run: (args: string[]) => Promise<number>, args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => { stdout += String(chunk); return true; });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => { stderr += String(chunk); return true; });
  try {
    const code = await run(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** Runs `lambda-gitops <args>` in-process, capturing stdout and stderr. */
export function runCli(args: string[]): Promise<CliRun> {
  return capture(main, args);
}
