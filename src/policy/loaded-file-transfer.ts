import type { KubeObject } from './types.js';
import { ManifestLoadError, RereadDocumentSource, type LoadedManifests, type SourceDocument } from './loader.js';

/**
 * What reading one file added to a {@link LoadedManifests}, as a JSON-able record that another
 * thread turns back into the same objects, sources, problems and error (see parallel-load.ts).
 * Document sources travel as `[index, line, textLine, pointerPrefix]`; the file's names are not
 * sent (the receiver has them).
 */
export interface LoadedFileRecord {
  /** Objects: the value and its source. */
  readonly o: [unknown, ...EncodedSource][];
  /** Kustomize configuration files, as `o`. */
  readonly k: [unknown, ...EncodedSource][];
  /** Problems: the source and the message, then the value; a whole-file problem (no value) has the file's text for its source. */
  readonly p: ([EncodedSource, string, unknown] | [{ readonly text: string }, string])[];
  /** The file's error (line or null, reason), when it is unusable. */
  readonly e?: [number | null, string];
}

type EncodedSource = [index: number, line: number, textLine: number, pointerPrefix: string | null];

function encodeSource(source: SourceDocument): EncodedSource {
  return [source.index, source.line, source.textLine, source.pointerPrefix ?? null];
}

function decodeSource(encoded: EncodedSource, file: string, absolutePath: string): SourceDocument {
  const [index, line, textLine, pointerPrefix] = encoded;
  return pointerPrefix === null ? new RereadDocumentSource(file, absolutePath, index, line, textLine) : new RereadDocumentSource(file, absolutePath, index, line, textLine, pointerPrefix);
}

/**
 * The record of one file read by `loadManifestFile` into an otherwise empty `loaded` (with its
 * returned error). Every document source must be a file's (re-read) source, or a whole-file problem's.
 */
export function encodeLoadedFile(loaded: LoadedManifests, error: ManifestLoadError | undefined): LoadedFileRecord {
  const record: LoadedFileRecord = {
    o: loaded.objects.map((entry) => [entry.object, ...encodeSource(entry.source)]),
    k: loaded.kustomizeFiles.map((entry) => [entry.object, ...encodeSource(entry.source)]),
    p: loaded.problems.map((problem) => (problem.source instanceof RereadDocumentSource ? [encodeSource(problem.source), problem.message, problem.value] : [{ text: problem.source.text }, problem.message])),
  };
  return error ? { ...record, e: [error.line ?? null, error.reason] } : record;
}

/**
 * Adds a file's record to `into` as reading the file there would have (same order, same source
 * classes); returns the file's error, if any.
 */
export function decodeLoadedFile(record: LoadedFileRecord, file: string, absolutePath: string, into: LoadedManifests): ManifestLoadError | undefined {
  for (const [object, ...source] of record.o) into.objects.push({ object: object as KubeObject, source: decodeSource(source, file, absolutePath) });
  for (const [object, ...source] of record.k) into.kustomizeFiles.push({ object: object as KubeObject, source: decodeSource(source, file, absolutePath) });
  for (const problem of record.p) {
    if (problem.length === 3) into.problems.push({ source: decodeSource(problem[0], file, absolutePath), message: problem[1], value: problem[2] });
    else into.problems.push({ source: { file, absolutePath, index: 0, line: 1, text: problem[0].text, textLine: 1 }, message: problem[1] });
  }
  return record.e ? new ManifestLoadError(file, record.e[0] ?? undefined, record.e[1]) : undefined;
}
