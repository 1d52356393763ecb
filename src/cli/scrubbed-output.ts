import { SecretScrubber } from '../masking/secret-scrubber.js';
import { writeOutput, writeOutputChunks } from './write-output.js';

/**
 * The one way CLI commands write: every report, file and message passes through the masking
 * policy's scrubber (the secrets of the command's input trees, and credential shapes) first.
 */
export class ScrubbedOutput {
  /** @param scrubber the secrets of the input; by default only credential shapes are removed */
  constructor(public scrubber: SecretScrubber = new SecretScrubber()) {}

  /**
   * Writes `text` to `file` with the checks of {@link writeOutput} (no directory, pipe or /proc
   * target; a clear error naming `option`), or to standard output without one.
   */
  write(file: string | undefined, text: string, option = '--output'): void {
    const clean = this.scrubber.scrubText(text);
    if (file === undefined) {
      process.stdout.write(clean);
      return;
    }
    writeOutput(file, clean, option);
  }

  /**
   * {@link write} for a report rendered in pieces (written as they come, never joined): each
   * piece is scrubbed on its own, so a piece must hold whole values (one change of a report).
   */
  writeChunks(file: string | undefined, chunks: Iterable<string>, option = '--output'): void {
    const scrubber = this.scrubber;
    function* clean(): Generator<string> {
      for (const chunk of chunks) yield scrubber.scrubText(chunk);
    }
    writeOutputChunks(file, clean(), option);
  }

  /** Writes a message line to standard error. */
  error(line: string): void {
    process.stderr.write(`${this.scrubber.scrubText(line)}\n`);
  }
}
