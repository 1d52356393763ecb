import { InvalidPropError } from '../core/errors.js';
import { WorkloadPort } from './pod-template.js';

/** Default images, pinned (override with the preset's `image` option). */
export const ModelServerImages = {
  vllm: 'vllm/vllm-openai:v0.10.2',
  triton: 'nvcr.io/nvidia/tritonserver:24.08-py3',
  /** TEI built for Ampere sm86 (A10, A40); use `89-` for Ada, plain `<ver>` for A100, `hopper-` for H100. */
  textEmbeddings: 'ghcr.io/huggingface/text-embeddings-inference:86-1.8',
} as const;

/** The resolved settings of a model server, given the construct path and GPUs per replica. */
export interface ModelServerConfig {
  /** Short name of the server (`vllm`, `triton`, `text-embeddings-inference`). */
  readonly server: string;
  /** Image. */
  readonly image: string;
  /** Container command; undefined keeps the image's entrypoint. */
  readonly command?: string[];
  /** Container arguments. */
  readonly args: string[];
  /** Ports; the first is the HTTP API port that probes use. */
  readonly ports: WorkloadPort[];
  /** HTTP path the readiness (and startup) probe checks. */
  readonly readinessPath: string;
  /** HTTP path the liveness probe checks. */
  readonly livenessPath: string;
  /** Port (number) and path Prometheus scrapes. */
  readonly metrics: { readonly port: number; readonly path: string };
  /** Seconds the startup probe waits for the server to load its model. */
  readonly startupBudgetSeconds: number;
  /** Where the model-cache volume is mounted. */
  readonly cacheMountPath: string;
  /** Environment (writable HOME and cache locations; the root filesystem is read-only). */
  readonly env: Record<string, string>;
  /** Default `/dev/shm` size. */
  readonly shmSize: string;
  /** The `app.kubernetes.io/component` label. */
  readonly component: string;
}

/** `USER` of the vLLM container: Python's getpass.getuser() reads it before the passwd database. */
export const VLLM_USER = 'vllm';

/** Where a server keeps writable home-directory state (an emptyDir, since the root filesystem is read-only). */
export const HOME_MOUNT_PATH = '/home/app';

/** Options of the vLLM preset. */
export interface VllmOptions {
  /** The Hugging Face model id or local path to serve, e.g. `meta-llama/Llama-3.1-8B-Instruct`. */
  readonly model: string;
  /**
   * Name the OpenAI API serves the model as.
   * @default - the model id
   */
  readonly servedModelName?: string;
  /**
   * Maximum context length (`--max-model-len`); bounds KV-cache memory on a 24 GB A10.
   * @default - the model's own maximum
   */
  readonly maxModelLen?: number;
  /**
   * Fraction of GPU memory vLLM may use (`--gpu-memory-utilization`), above 0 and at most 1.
   * @default 0.9
   */
  readonly gpuMemoryUtilization?: number;
  /**
   * Image.
   * @default ModelServerImages.vllm
   */
  readonly image?: string;
  /**
   * Further server arguments, appended.
   * @default []
   */
  readonly extraArgs?: string[];
}

/** Options of the Triton preset. */
export interface TritonOptions {
  /**
   * Image.
   * @default ModelServerImages.triton
   */
  readonly image?: string;
  /**
   * Further server arguments, appended.
   * @default []
   */
  readonly extraArgs?: string[];
}

/** Options of the text-embeddings-inference preset. */
export interface TextEmbeddingsOptions {
  /** The Hugging Face model id, e.g. `BAAI/bge-large-en-v1.5`. */
  readonly model: string;
  /**
   * Maximum tokens in a batch (`--max-batch-tokens`), the main throughput knob.
   * @default 16384 (the server's default)
   */
  readonly maxBatchTokens?: number;
  /**
   * Image (pick the build for your GPU architecture).
   * @default ModelServerImages.textEmbeddings
   */
  readonly image?: string;
  /**
   * Further server arguments, appended.
   * @default []
   */
  readonly extraArgs?: string[];
}

/**
 * A model-server preset for {@link GpuInferenceService}: image, ports, arguments, health and
 * metrics endpoints, startup budget and cache location of a known server.
 */
export class ModelServer {
  /**
   * vLLM's OpenAI-compatible server: port 8000, `GET /health`, Prometheus `/metrics` on the same
   * port, tensor parallelism across the replica's GPUs, a 600 s startup budget (weights download
   * and load), Hugging Face cache on the model-cache volume.
   */
  public static vllm(options: VllmOptions): ModelServer {
    return new ModelServer((path, gpus) => {
      requireText(path, 'server.model', options.model, "a Hugging Face model id such as 'meta-llama/Llama-3.1-8B-Instruct'");
      const utilization = options.gpuMemoryUtilization ?? 0.9;
      if (typeof utilization !== 'number' || !(utilization > 0 && utilization <= 1)) {
        throw new InvalidPropError(path, 'server.gpuMemoryUtilization', options.gpuMemoryUtilization, 'must be a fraction above 0 and at most 1, e.g. 0.9');
      }
      if (options.maxModelLen !== undefined && (!Number.isInteger(options.maxModelLen) || options.maxModelLen < 1)) {
        throw new InvalidPropError(path, 'server.maxModelLen', options.maxModelLen, 'must be a whole number of tokens, at least 1');
      }
      if (options.servedModelName !== undefined) requireText(path, 'server.servedModelName', options.servedModelName, 'a model name without spaces');
      const cache = '/model-cache';
      return {
        server: 'vllm',
        component: 'inference',
        image: options.image ?? ModelServerImages.vllm,
        args: [
          '--model', options.model,
          ...(options.servedModelName ? ['--served-model-name', options.servedModelName] : []),
          '--host', '0.0.0.0',
          '--port', '8000',
          '--tensor-parallel-size', String(gpus),
          '--gpu-memory-utilization', String(utilization),
          ...(options.maxModelLen !== undefined ? ['--max-model-len', String(options.maxModelLen)] : []),
          ...(options.extraArgs ?? []),
        ],
        ports: [{ name: 'http', containerPort: 8000 }],
        readinessPath: '/health',
        livenessPath: '/health',
        metrics: { port: 8000, path: '/metrics' },
        startupBudgetSeconds: 600,
        cacheMountPath: cache,
        env: {
          HOME: HOME_MOUNT_PATH,
          HF_HOME: `${cache}/huggingface`,
          VLLM_CACHE_ROOT: `${cache}/vllm`,
          VLLM_NO_USAGE_STATS: '1',
          // The pod runs as a UID without a passwd entry: PyTorch inductor (torch 2.8 in vLLM
          // v0.10.2) names its default cache dir after getpass.getuser(), which raises KeyError
          // there unless USER is set; some torch versions call default_cache_dir() even when
          // TORCHINDUCTOR_CACHE_DIR is set, so both are given (vllm-project/vllm#44548).
          USER: VLLM_USER,
          TORCHINDUCTOR_CACHE_DIR: `${cache}/torchinductor`,
        },
        shmSize: `${2 * gpus}Gi`,
      };
    });
  }

  /**
   * NVIDIA Triton: HTTP 8000, gRPC 8001, metrics 8002; readiness `/v2/health/ready`, liveness
   * `/v2/health/live`; the model repository is the model-cache volume at `/models`; a 600 s
   * startup budget.
   */
  public static triton(options: TritonOptions = {}): ModelServer {
    return new ModelServer((_path, gpus) => ({
      server: 'triton',
      component: 'inference',
      image: options.image ?? ModelServerImages.triton,
      command: ['tritonserver'],
      args: ['--model-repository=/models', '--http-port=8000', '--grpc-port=8001', '--metrics-port=8002', ...(options.extraArgs ?? [])],
      ports: [
        { name: 'http', containerPort: 8000 },
        { name: 'grpc', containerPort: 8001 },
        { name: 'metrics', containerPort: 8002 },
      ],
      readinessPath: '/v2/health/ready',
      livenessPath: '/v2/health/live',
      metrics: { port: 8002, path: '/metrics' },
      startupBudgetSeconds: 600,
      cacheMountPath: '/models',
      env: { HOME: HOME_MOUNT_PATH },
      shmSize: `${2 * gpus}Gi`,
    }));
  }

  /**
   * Hugging Face text-embeddings-inference: moved from the image's port 80 to the unprivileged
   * port 8080 (`--port 8080`), `GET /health`, Prometheus on 9000 (`--prometheus-port`), weights
   * cached at `/data`, a 300 s startup budget.
   */
  public static textEmbeddings(options: TextEmbeddingsOptions): ModelServer {
    return new ModelServer((path) => {
      requireText(path, 'server.model', options.model, "a Hugging Face model id such as 'BAAI/bge-large-en-v1.5'");
      if (options.maxBatchTokens !== undefined && (!Number.isInteger(options.maxBatchTokens) || options.maxBatchTokens < 1)) {
        throw new InvalidPropError(path, 'server.maxBatchTokens', options.maxBatchTokens, 'must be a whole number of tokens, at least 1');
      }
      return {
        server: 'text-embeddings-inference',
        component: 'embeddings',
        image: options.image ?? ModelServerImages.textEmbeddings,
        args: [
          '--model-id', options.model,
          '--hostname', '0.0.0.0',
          '--port', '8080',
          '--prometheus-port', '9000',
          '--huggingface-hub-cache', '/data',
          ...(options.maxBatchTokens !== undefined ? ['--max-batch-tokens', String(options.maxBatchTokens)] : []),
          ...(options.extraArgs ?? []),
        ],
        ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9000 }],
        readinessPath: '/health',
        livenessPath: '/health',
        metrics: { port: 9000, path: '/metrics' },
        startupBudgetSeconds: 300,
        cacheMountPath: '/data',
        env: { HOME: HOME_MOUNT_PATH, HF_HOME: '/data' },
        shmSize: '1Gi',
      };
    });
  }

  private constructor(private readonly resolver: (path: string, gpus: number) => ModelServerConfig) {}

  /** Validates the options and resolves the settings for a replica with `gpus` GPUs. */
  public resolve(constructPath: string, gpus: number): ModelServerConfig {
    return this.resolver(constructPath, gpus);
  }
}

function requireText(path: string, prop: string, value: string, allowed: string): void {
  if (typeof value !== 'string' || value.length === 0 || /\s/.test(value)) throw new InvalidPropError(path, prop, value, `must be ${allowed}`);
}
