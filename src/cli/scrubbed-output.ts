import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SecretScrubber } from '../masking/secret-scrubber.js';

/**
 * The one way CLI commands write: every report, file and message passes through the masking
 * policy's scrubber (the secrets of the command's input trees, and credential shapes) first.
 */
export class ScrubbedOutput {
  /** @param scrubber the secrets of the input; by default only credential shapes are removed */
  constructor(public scrubber: SecretScrubber = new SecretScrubber()) {}

  /** Writes `text` to `file` (parent directories created), or to standard output without one. */
  write(file: string | undefined, text: string): void {
    const clean = this.scrubber.scrubText(text);
    if (file === undefined) {
      process.stdout.write(clean);
      return;
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, clean);
  }

  /** Writes a message line to standard error. */
  error(line: string): void {
    process.stderr.write(`${this.scrubber.scrubText(line)}\n`);
  }
}
