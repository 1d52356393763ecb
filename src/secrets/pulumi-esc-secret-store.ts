import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { clusterScopedDirectory } from './cluster-scoped.js';
import { validateSecretKey } from './esc-path.js';
import { InvalidPropError } from '../core/errors.js';
import { LabelKeys, MANAGED_BY } from '../core/labels.js';
import { validateDnsLabel, validateDnsSubdomain } from '../core/names.js';

/** apiVersion of External Secrets Operator objects (v1 is served from ESO 0.16; v1beta1 is unserved from 0.17). */
export const EXTERNAL_SECRETS_API_VERSION = 'external-secrets.io/v1';

/** The Pulumi Cloud ESC API the provider talks to by default. */
export const DEFAULT_PULUMI_ESC_API_URL = 'https://api.pulumi.com/api/esc';

/** A key of a Secret in a given namespace. */
export interface SecretKeyReference {
  /** The Secret's name. */
  readonly name: string;
  /** The Secret's namespace (required: a ClusterSecretStore has no namespace of its own). */
  readonly namespace: string;
  /** The key within the Secret. */
  readonly key: string;
}

/**
 * The bootstrap Secret holding the Pulumi access token. It is created out of band (never
 * rendered into Git), e.g. `kubectl -n external-secrets create secret generic pulumi-esc-access-token --from-literal=accessToken=pul-...`.
 */
export const DEFAULT_ACCESS_TOKEN_SECRET: SecretKeyReference = {
  name: 'pulumi-esc-access-token',
  namespace: 'external-secrets',
  key: 'accessToken',
};

/** Props of {@link PulumiEscSecretStore}. */
export interface PulumiEscSecretStoreProps {
  /**
   * `metadata.name` of the ClusterSecretStore.
   * @default - `pulumi-esc-<project>-<environment>`, lowercased, with other characters turned into '-'
   */
  readonly name?: string;
  /** The Pulumi Cloud organization. */
  readonly organization: string;
  /** The ESC project. */
  readonly project: string;
  /** The ESC environment within the project (one store reads exactly one environment). */
  readonly environment: string;
  /**
   * Where the operator finds the Pulumi access token.
   * @default DEFAULT_ACCESS_TOKEN_SECRET ({ name: 'pulumi-esc-access-token', namespace: 'external-secrets', key: 'accessToken' })
   */
  readonly accessTokenSecret?: SecretKeyReference;
  /**
   * The ESC API endpoint (self-hosted Pulumi Cloud only).
   * @default 'https://api.pulumi.com/api/esc'
   */
  readonly apiUrl?: string;
  /**
   * Namespaces whose ExternalSecrets may use this store (`spec.conditions[].namespaces`).
   * An {@link EscExternalSecret} in any other namespace fails synthesis.
   * @default - every namespace
   */
  readonly allowedNamespaces?: string[];
  /**
   * Emit the deprecated `spec.provider.pulumi.accessToken` instead of `auth.accessToken`; only
   * for External Secrets Operator releases older than 2.5, which do not know `auth`.
   * @default false
   */
  readonly legacyAccessTokenField?: boolean;
}

/** A reference to a store, as an ExternalSecret's `spec.secretStoreRef` needs it. */
export interface SecretStoreReference {
  /** The store's name. */
  readonly name: string;
  /** `ClusterSecretStore` or `SecretStore`. */
  readonly kind: 'ClusterSecretStore' | 'SecretStore';
}

const ESC_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const REGISTRY = new WeakMap<IConstruct, Map<string, string>>();

/**
 * A ClusterSecretStore (`external-secrets.io/v1`) for the Pulumi ESC provider: one store per
 * (organization, project, environment), authenticated with an access token from a bootstrap
 * Secret that is never rendered. Place it in the `infrastructure/configs` ManifestDirectory, which
 * Flux applies after the operators (so the CRD exists) and before the apps (so ExternalSecrets
 * find it).
 */
export class PulumiEscSecretStore extends Construct {
  /** `metadata.name` of the ClusterSecretStore. */
  public readonly storeName: string;
  /** The Pulumi Cloud organization. */
  public readonly organization: string;
  /** The ESC project. */
  public readonly project: string;
  /** The ESC environment. */
  public readonly environment: string;
  /** The namespaces allowed to use the store (undefined: all). */
  public readonly allowedNamespaces?: readonly string[];
  /** The bootstrap token Secret the store reads. */
  public readonly accessTokenSecret: SecretKeyReference;
  /** The rendered ClusterSecretStore. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: PulumiEscSecretStoreProps) {
    super(scope, id);
    clusterScopedDirectory(this, 'ClusterSecretStore', 'infrastructure/configs');
    this.organization = validateEscName(this, 'organization', props.organization);
    this.project = validateEscName(this, 'project', props.project);
    this.environment = validateEscName(this, 'environment', props.environment);
    this.storeName = validateDnsSubdomain(this, 'name', props.name ?? defaultStoreName(this.project, this.environment));
    const token = props.accessTokenSecret ?? DEFAULT_ACCESS_TOKEN_SECRET;
    validateDnsSubdomain(this, 'accessTokenSecret.name', token.name);
    validateDnsLabel(this, 'accessTokenSecret.namespace', token.namespace);
    validateSecretKey(this, 'accessTokenSecret.key', token.key);
    this.accessTokenSecret = { name: token.name, namespace: token.namespace, key: token.key };
    const apiUrl = props.apiUrl ?? DEFAULT_PULUMI_ESC_API_URL;
    if (!isHttpsUrl(apiUrl)) throw new InvalidPropError(this, 'apiUrl', apiUrl, 'must be an https:// URL such as https://api.pulumi.com/api/esc');
    if (props.allowedNamespaces !== undefined) {
      if (props.allowedNamespaces.length === 0) {
        throw new InvalidPropError(this, 'allowedNamespaces', props.allowedNamespaces, 'must list at least one namespace, or be omitted to allow all');
      }
      props.allowedNamespaces.forEach((ns, i) => validateDnsLabel(this, `allowedNamespaces[${i}]`, ns));
      this.allowedNamespaces = [...new Set(props.allowedNamespaces)].sort();
    }
    this.register();

    const secretRef = { secretRef: { ...this.accessTokenSecret } };
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: EXTERNAL_SECRETS_API_VERSION,
      kind: 'ClusterSecretStore',
      metadata: { name: this.storeName, labels: { [LabelKeys.managedBy]: MANAGED_BY } },
      spec: {
        provider: {
          pulumi: {
            organization: this.organization,
            project: this.project,
            environment: this.environment,
            apiUrl,
            ...(props.legacyAccessTokenField ? { accessToken: secretRef } : { auth: { accessToken: secretRef } }),
          },
        },
        ...(this.allowedNamespaces ? { conditions: [{ namespaces: [...this.allowedNamespaces] }] } : {}),
      },
    });
  }

  /** How an ExternalSecret refers to this store. */
  public get ref(): SecretStoreReference {
    return { name: this.storeName, kind: 'ClusterSecretStore' };
  }

  /** Whether ExternalSecrets in `namespace` may use the store. */
  public allowsNamespace(namespace: string): boolean {
    return this.allowedNamespaces === undefined || this.allowedNamespaces.includes(namespace);
  }

  /** One store per (organization, project, environment) and per name, app-wide. */
  private register(): void {
    const root = this.node.root;
    const seen = REGISTRY.get(root) ?? new Map<string, string>();
    REGISTRY.set(root, seen);
    const environmentKey = `env:${this.organization}/${this.project}/${this.environment}`;
    const nameKey = `name:${this.storeName}`;
    const sameEnvironment = seen.get(environmentKey);
    if (sameEnvironment) {
      throw new InvalidPropError(this, 'environment', `${this.organization}/${this.project}/${this.environment}`,
        `already has a store at ${sameEnvironment}; use one store per ESC environment and reference it from every ExternalSecret`);
    }
    const sameName = seen.get(nameKey);
    if (sameName) throw new InvalidPropError(this, 'name', this.storeName, `must be unique; ${sameName} already uses it`);
    seen.set(environmentKey, this.node.path);
    seen.set(nameKey, this.node.path);
  }
}

function validateEscName(scope: IConstruct, prop: string, value: string): string {
  if (typeof value !== 'string' || !ESC_NAME.test(value) || value.length > 100) {
    throw new InvalidPropError(scope, prop, value, "must be a Pulumi name: letters, digits, '-', '_' and '.', starting with a letter or digit, at most 100 characters");
  }
  return value;
}

function defaultStoreName(project: string, environment: string): string {
  return `pulumi-esc-${project}-${environment}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/-$/, '').slice(0, 253);
}

function isHttpsUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' && url.hostname.length > 0 && !url.username && !url.password;
  } catch {
    return false;
  }
}
