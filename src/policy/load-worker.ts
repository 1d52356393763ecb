/**
 * The worker thread of parallel-load.ts: takes batches of files from the shared counter, reads and
 * parses each file as loadManifests does, and posts each batch as JSON text (`[batch, text]`), or
 * `[batch, null]` when reading threw something that is not bad input (the main thread reads that
 * batch again, and throws where loadManifests would). A file holding a value JSON does not carry
 * (-0) is sent as `0`: the main thread reads that file itself.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { negativeZerosRead } from './kustomize-yaml.js';
import { loadManifestFile, type LoadedManifests, type ManifestFileLimits } from './loader.js';
import { encodeLoadedFile, type LoadedFileRecord } from './loaded-file-transfer.js';

/** What parallel-load.ts gives the worker. */
export interface LoadWorkerData {
  /** The files' absolute paths joined by NUL. */
  readonly absolutePaths: string;
  readonly batchSize: number;
  /** Int32 [0]: the next batch to take (shared with the main thread). */
  readonly nextBatch: SharedArrayBuffer;
  readonly port: MessagePort;
  readonly limits: ManifestFileLimits;
}

const data = workerData as LoadWorkerData;
const paths = data.absolutePaths.split('\0');
const next = new Int32Array(data.nextBatch);
const batches = Math.ceil(paths.length / data.batchSize);

for (let batch = Atomics.add(next, 0, 1); batch < batches; batch = Atomics.add(next, 0, 1)) {
  try {
    const records: (LoadedFileRecord | 0)[] = [];
    for (let i = batch * data.batchSize; i < Math.min(paths.length, (batch + 1) * data.batchSize); i++) {
      const loaded: LoadedManifests = { objects: [], problems: [], kustomizeFiles: [], files: [], roots: [] };
      const zeros = negativeZerosRead();
      // the file name in an error is the main thread's to give: only line and reason are sent
      const error = loadManifestFile(paths[i], paths[i], loaded, data.limits);
      records.push(negativeZerosRead() === zeros ? encodeLoadedFile(loaded, error) : 0);
    }
    data.port.postMessage([batch, JSON.stringify(records)]);
  } catch {
    data.port.postMessage([batch, null]);
  }
}
