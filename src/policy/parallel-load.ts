import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { decodeLoadedFile, type LoadedFileRecord } from './loaded-file-transfer.js';
import { listManifestFiles, loadManifestFile, ManifestLoadError, manifestFileLimits, type LoadedManifests, type LoadOptions } from './loader.js';
import type { LoadWorkerData } from './load-worker.js';

/** Options of {@link startManifestLoad}. */
export interface ParallelLoadOptions extends LoadOptions {
  /**
   * Fewest files for which a second thread reads and parses part of the tree (below it, starting
   * the thread costs more than it saves).
   * @default 1000
   */
  readonly parallelFrom?: number;
}

/** A tree being read (see {@link startManifestLoad}). */
export interface ManifestLoad {
  /** Reads the rest of the tree in this thread too; resolves to exactly what `loadManifests` returns. */
  finish(): Promise<LoadedManifests>;
  /** Stops the worker thread (the caller gave up before {@link finish}). */
  cancel(): void;
}

/** The default of {@link ParallelLoadOptions.parallelFrom}. */
export const DEFAULT_PARALLEL_FROM = 1000;
const BATCH_SIZE = 64;
const WORKER_SCRIPT = new URL('./load-worker.js', import.meta.url);

/** The files of some batches, read: what `loadManifestFile` added, and the errors in file order. */
interface Fragment extends LoadedManifests {
  /** ManifestLoadErrors, then possibly one other error, after which the batch was not read further. */
  readonly errors: unknown[];
}

function emptyFragment(): Fragment {
  return { objects: [], problems: [], kustomizeFiles: [], files: [], roots: [], errors: [] };
}

/**
 * Starts reading a tree as `loadManifests(paths, options)` does, with the same result, errors and
 * limits: the files are listed now (a missing path throws here), then from
 * {@link ParallelLoadOptions.parallelFrom} files on a worker thread reads and parses batches of
 * them while this thread is free for other work until {@link ManifestLoad.finish}, where both
 * threads take batches from a shared counter. The worker sends each batch as JSON text (the
 * values kustomize applies are JSON values); a file whose values JSON would change, or a batch the
 * worker could not finish, is read in this thread. On one CPU, or without the compiled worker
 * script (running from sources), everything is read in this thread.
 * @throws ManifestLoadError as `loadManifests` (listing errors here, file errors from finish)
 */
export function startManifestLoad(paths: readonly string[], options: ParallelLoadOptions = {}): ManifestLoad {
  const tree = listManifestFiles(paths, options.cwd);
  const limits = manifestFileLimits(options);
  const batches = Math.ceil(tree.files.length / BATCH_SIZE);
  const fragments: (Fragment | undefined)[] = new Array(batches);
  let filled = 0;
  const nextBatch = new SharedArrayBuffer(4);
  const next = new Int32Array(nextBatch);

  /** Reads file `i` here into `fragment`; false after an error that is not bad input (stop the batch). */
  const readHere = (i: number, fragment: Fragment): boolean => {
    try {
      const error = loadManifestFile(tree.absolutePaths[i], tree.files[i], fragment, limits, !tree.notRegular.has(tree.absolutePaths[i]));
      if (error) fragment.errors.push(error);
      return true;
    } catch (error) {
      fragment.errors.push(error);
      return false;
    }
  };
  const readBatch = (batch: number): void => {
    const fragment = emptyFragment();
    for (let i = batch * BATCH_SIZE; i < Math.min(tree.files.length, (batch + 1) * BATCH_SIZE) && readHere(i, fragment); i++);
    fragments[batch] = fragment;
    filled++;
  };
  const acceptBatch = ([batch, text]: [number, string | null]): void => {
    if (fragments[batch] || text === null) return; // a batch the worker could not read is read here at the end
    const fragment = emptyFragment();
    const records = JSON.parse(text) as (LoadedFileRecord | 0)[];
    for (let j = 0; j < records.length; j++) {
      const i = batch * BATCH_SIZE + j;
      const record = records[j];
      if (record === 0) {
        if (!readHere(i, fragment)) break;
        continue;
      }
      const error = decodeLoadedFile(record, tree.files[i], tree.absolutePaths[i], fragment);
      if (error) fragment.errors.push(error);
    }
    fragments[batch] = fragment;
    filled++;
  };

  let worker: Worker | undefined;
  let port: MessagePort | undefined;
  let workerExited = false;
  let onExit: (() => void) | undefined;
  // a file given by path that is not a regular file (a pipe) is read only here, as loadManifests reads it
  if (batches > 1 && tree.notRegular.size === 0 && tree.files.length >= (options.parallelFrom ?? DEFAULT_PARALLEL_FROM) && availableParallelism() > 1 && existsSync(fileURLToPath(WORKER_SCRIPT))) {
    const channel = new MessageChannel();
    port = channel.port1;
    const workerData: LoadWorkerData = { absolutePaths: tree.absolutePaths.join('\0'), batchSize: BATCH_SIZE, nextBatch, port: channel.port2, limits };
    worker = new Worker(WORKER_SCRIPT, { workerData, transferList: [channel.port2] });
    worker.unref();
    // a worker that fails leaves its batches to this thread
    worker.on('error', () => {});
    worker.on('exit', () => {
      workerExited = true;
      onExit?.();
    });
  }
  const drain = (): void => {
    if (!port) return;
    for (let message = receiveMessageOnPort(port); message; message = receiveMessageOnPort(port)) acceptBatch(message.message as [number, string | null]);
  };
  const stop = (): void => {
    void worker?.terminate();
    port?.close();
  };

  return {
    cancel: stop,
    async finish(): Promise<LoadedManifests> {
      for (let batch = Atomics.add(next, 0, 1); batch < batches; batch = Atomics.add(next, 0, 1)) {
        readBatch(batch);
        drain();
      }
      drain();
      if (port && filled < batches && !workerExited) {
        const channel = port;
        await new Promise<void>((resolve) => {
          onExit = resolve;
          channel.on('message', (message: [number, string | null]) => {
            acceptBatch(message);
            if (filled === batches) resolve();
          });
        });
        drain(); // what the worker sent before it stopped
      }
      stop();
      for (let batch = 0; batch < batches; batch++) if (!fragments[batch]) readBatch(batch);
      const malformed: ManifestLoadError[] = [];
      const result: LoadedManifests = { objects: [], problems: [], kustomizeFiles: [], files: tree.files, roots: tree.roots, ...(options.collectErrors ? { malformed } : {}) };
      for (let batch = 0; batch < batches; batch++) {
        const fragment = fragments[batch]!;
        fragments[batch] = undefined;
        for (const entry of fragment.objects) result.objects.push(entry);
        for (const entry of fragment.kustomizeFiles) result.kustomizeFiles.push(entry);
        for (const problem of fragment.problems) result.problems.push(problem);
        for (const error of fragment.errors) {
          if (!options.collectErrors || !(error instanceof ManifestLoadError)) throw error;
          malformed.push(error);
        }
      }
      return result;
    },
  };
}
