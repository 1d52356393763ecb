import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The parts of TypeScript's incremental build info (`tsBuildInfoFile`) this package reads. */
export interface BuildInfo {
  readonly version?: string;
  readonly fileNames?: readonly string[];
  readonly fileInfos?: readonly (string | { readonly version?: string })[];
  readonly root?: readonly unknown[];
  readonly errors?: boolean;
  readonly semanticDiagnosticsPerFile?: readonly unknown[];
  readonly emitDiagnosticsPerFile?: readonly unknown[];
  readonly affectedFilesPendingEmit?: readonly unknown[];
}

/**
 * Keys of a build info that record work the last compile left undone (errors, pending emit,
 * files still to check).
 */
const PENDING_KEYS = [
  'errors', 'checkPending', 'affectedFilesPendingEmit', 'changeFileSet', 'semanticDiagnosticsPerFile',
  'emitDiagnosticsPerFile', 'pendingEmit', 'emitSignatures',
];

/**
 * Whether `info` carries any key that records undone work: such a build info is not a clean build
 * of every source (stricter than {@link filesWithRecordedErrors}, which names only files).
 */
export function leftWorkUndone(info: BuildInfo): boolean {
  return PENDING_KEYS.some((key) => key in info);
}

/** Reads a build info; undefined when it is missing or not JSON. */
export function readBuildInfo(path: string): BuildInfo | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as BuildInfo;
  } catch {
    return undefined;
  }
}

/** Since TypeScript 5.6 a build info lists only files with diagnostics or still unchecked; before, every checked file. */
function listsOnlyUnfinishedFiles(version: string | undefined): boolean {
  const [major, minor] = (version ?? '').split('.').map(Number);
  return major > 5 || (major === 5 && minor >= 6);
}

/**
 * The files (absolute paths) the compile that wrote `info` reported errors in, left unchecked
 * (TypeScript stops checking a file with a syntax error) or did not emit; `['']` for errors it
 * recorded without a file. Empty for a clean compile. `path` is where the build info lives
 * (its file names are relative to it).
 */
export function filesWithRecordedErrors(info: BuildInfo, path: string): string[] {
  const base = dirname(path);
  const nameOf = (id: unknown) => (typeof id === 'number' && info.fileNames?.[id - 1] !== undefined ? resolve(base, info.fileNames[id - 1]) : '');
  const files = new Set<string>();
  if (info.errors === true) files.add('');
  const modern = listsOnlyUnfinishedFiles(info.version);
  for (const entries of [info.semanticDiagnosticsPerFile, info.emitDiagnosticsPerFile]) {
    for (const entry of entries ?? []) {
      if (Array.isArray(entry)) {
        if (Array.isArray(entry[1]) && entry[1].length > 0) files.add(nameOf(entry[0]));
      } else if (modern) {
        files.add(nameOf(entry));
      }
    }
  }
  for (const entry of info.affectedFilesPendingEmit ?? []) files.add(nameOf(Array.isArray(entry) ? entry[0] : entry));
  return [...files];
}

/**
 * {@link filesWithRecordedErrors} of the build info at `path`; empty when there is none. A clean
 * build info (no key that records errors or pending work) is recognised without parsing it.
 */
export function recordedErrorFiles(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  if (!/"(errors|semanticDiagnosticsPerFile|emitDiagnosticsPerFile|affectedFilesPendingEmit)"/.test(text)) return [];
  try {
    return filesWithRecordedErrors(JSON.parse(text) as BuildInfo, path);
  } catch {
    return [];
  }
}
