import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { validateEscPath, validateSecretKey } from './esc-path.js';
import { EXTERNAL_SECRETS_API_VERSION, PulumiEscSecretStore } from './pulumi-esc-secret-store.js';
import { SecretVolume } from './secret-volume.js';
import { InvalidPropError } from '../core/errors.js';
import { LabelKeys, MANAGED_BY } from '../core/labels.js';
import { validateDnsLabel, validateDnsSubdomain } from '../core/names.js';
import type { SecretEnvVar } from '../workloads/workload.js';

/** Props of {@link EscExternalSecret}. */
export interface EscExternalSecretProps {
  /** The store (one Pulumi ESC environment) the values come from. */
  readonly store: PulumiEscSecretStore;
  /**
   * `metadata.name` of the ExternalSecret and of the Secret it writes.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Secret keys mapped to Pulumi ESC property paths under the environment's `values:`, e.g.
   * `{ HF_TOKEN: 'huggingface.token' }`. Rendered sorted by key.
   */
  readonly data: Record<string, string>;
  /**
   * How often the operator re-reads ESC (a Go duration; `0s` reads once).
   * @default '1h'
   */
  readonly refreshInterval?: string;
}

/** A Go duration as ESO parses it (e.g. `1h`, `15m`, `1h30m`, `0s`). */
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;
/** An environment variable name as Kubernetes 1.28 accepts it. */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * An ExternalSecret (`external-secrets.io/v1`) in a workload namespace that copies values from a
 * Pulumi ESC environment into a Secret it owns (`creationPolicy: Owner`, so deleting the
 * ExternalSecret removes the Secret). Only references are rendered: the values never enter Git.
 * Wire it into workloads with {@link EscExternalSecret.envVar} (for `secretEnv`) or
 * {@link EscExternalSecret.volume}.
 */
export class EscExternalSecret extends Construct {
  /** `metadata.name` of the ExternalSecret and the Secret it writes. */
  public readonly secretName: string;
  /** The namespace of both. */
  public readonly namespace: string;
  /** The store it reads. */
  public readonly store: PulumiEscSecretStore;
  /** The Secret keys it writes, sorted, with their ESC paths. */
  public readonly mappings: ReadonlyArray<{ readonly secretKey: string; readonly path: string }>;
  /** The rendered ExternalSecret. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: EscExternalSecretProps) {
    super(scope, id);
    const namespace = Chart.of(this).namespace;
    if (!namespace) {
      throw new InvalidPropError(this, 'scope', Chart.of(this).node.path,
        'ExternalSecrets are namespaced: create it inside a Tenant (or a workload in one), next to the pods that read it');
    }
    this.namespace = namespace;
    this.secretName = validateDnsSubdomain(this, 'name', props.name ?? id);
    if (!(props.store instanceof PulumiEscSecretStore)) {
      throw new InvalidPropError(this, 'store', String(props.store), 'must be a PulumiEscSecretStore');
    }
    this.store = props.store;
    if (!props.store.allowsNamespace(namespace)) {
      throw new InvalidPropError(this, 'store', props.store.storeName,
        `does not serve namespace '${namespace}'; its allowedNamespaces are: ${props.store.allowedNamespaces?.join(', ')}`);
    }
    const entries = Object.entries(props.data ?? {});
    if (entries.length === 0) {
      throw new InvalidPropError(this, 'data', props.data, "must map at least one Secret key to an ESC path, e.g. { HF_TOKEN: 'huggingface.token' }");
    }
    this.mappings = entries
      .map(([secretKey, path]) => ({
        secretKey: validateSecretKey(this, `data.${secretKey}`, secretKey),
        path: validateEscPath(this, `data.${secretKey}`, path),
      }))
      .sort((a, b) => (a.secretKey < b.secretKey ? -1 : a.secretKey > b.secretKey ? 1 : 0));
    const refreshInterval = props.refreshInterval ?? '1h';
    if (typeof refreshInterval !== 'string' || !GO_DURATION.test(refreshInterval)) {
      throw new InvalidPropError(this, 'refreshInterval', refreshInterval, "must be a Go duration such as '1h', '15m' or '0s' (read once)");
    }

    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: EXTERNAL_SECRETS_API_VERSION,
      kind: 'ExternalSecret',
      metadata: { name: this.secretName, namespace, labels: { [LabelKeys.managedBy]: MANAGED_BY } },
      spec: {
        refreshInterval,
        secretStoreRef: { ...props.store.ref },
        target: { name: this.secretName, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
        // The Pulumi provider reads only remoteRef.key (a full property path); property/version are ignored.
        data: this.mappings.map((m) => ({ secretKey: m.secretKey, remoteRef: { key: m.path } })),
      },
    });
  }

  /** The Secret keys this ExternalSecret writes. */
  public get keys(): string[] {
    return this.mappings.map((m) => m.secretKey);
  }

  /**
   * An environment variable read from one key of the Secret, for a workload's `secretEnv`.
   * @param name the variable name, e.g. `HF_TOKEN`
   * @param key @default - the same as `name`
   */
  public envVar(name: string, key: string = name): SecretEnvVar {
    if (typeof name !== 'string' || !ENV_NAME.test(name)) {
      throw new InvalidPropError(this, 'envVar.name', name, "must be an environment variable name: letters, digits, '_', '-' and '.', not starting with a digit");
    }
    this.requireKey('envVar.key', key);
    return { name, secretName: this.secretName, key };
  }

  /** Every key as an environment variable of the same name (keys must be valid variable names). */
  public envVars(): SecretEnvVar[] {
    return this.keys.map((key) => this.envVar(key));
  }

  /**
   * The Secret mounted read-only as files.
   * @param keys @default - every key, each as a file named after it
   */
  public volume(name: string, mountPath: string, keys?: string[]): SecretVolume {
    validateDnsLabel(this, 'volume.name', name);
    if (typeof mountPath !== 'string' || !mountPath.startsWith('/')) {
      throw new InvalidPropError(this, 'volume.mountPath', mountPath, 'must be an absolute path');
    }
    (keys ?? []).forEach((k) => this.requireKey('volume.keys', k));
    return {
      name,
      mountPath,
      secretName: this.secretName,
      ...(keys && keys.length > 0 ? { items: keys.map((key) => ({ key, path: key })) } : {}),
    };
  }

  private requireKey(prop: string, key: string): void {
    if (!this.keys.includes(key)) {
      throw new InvalidPropError(this, prop, key, `must be one of the keys this ExternalSecret writes: ${this.keys.join(', ')}`);
    }
  }
}
