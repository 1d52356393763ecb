import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import jsYaml from 'js-yaml';

/** The Gateway API release whose standard-channel CRDs are vendored (see vendor/gateway-api-v1.5.1/README.md). */
export const GATEWAY_API_VERSION = 'v1.5.1';

/**
 * The standard-channel CRDs of {@link GATEWAY_API_VERSION} that a Kubernetes 1.28 apiserver
 * accepts, from the list of upstream's `standard-install.yaml` (config/crd/kustomization.yaml at
 * the tag). Left out, each because a 1.28 apiserver rejects it (found by the cluster tests' Tier
 * A128, which applies these CRDs to a 1.28.15 apiserver):
 * - `tlsroutes`: its CEL rule `self.all(h, !isIP(h))` uses the IP library of Kubernetes 1.31+
 *   ("undeclared reference to 'isIP'"). Traefik serves TLSRoute only with its
 *   `experimentalChannel` option (chart 41.3.0 values.yaml), which {@link GatewayController}
 *   leaves off, and cert-manager's gateway-shim reads Gateways only.
 * - the `safe-upgrades` ValidatingAdmissionPolicy: `admissionregistration.k8s.io/v1`, which 1.28
 *   does not serve (GA in 1.30).
 */
export const GATEWAY_API_STANDARD_CRDS: readonly string[] = [
  'gatewayclasses', 'gateways', 'grpcroutes', 'httproutes', 'referencegrants', 'backendtlspolicies', 'listenersets',
];

/** Directory of the vendored CRD files (the package root's `vendor/`, from `lib/ingress` or `src/ingress`). */
function vendorDirectory(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'vendor', `gateway-api-${GATEWAY_API_VERSION}`, 'standard');
}

interface CrdDocument {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly annotations?: Record<string, string> };
  readonly spec: Record<string, unknown>;
}

function readCrd(plural: string): CrdDocument {
  const file = join(vendorDirectory(), `gateway.networking.k8s.io_${plural}.yaml`);
  const doc = jsYaml.load(readFileSync(file, 'utf8')) as CrdDocument | undefined;
  if (doc?.kind !== 'CustomResourceDefinition' || doc.metadata?.name !== `${plural}.gateway.networking.k8s.io`) {
    throw new Error(`${file}: expected the CustomResourceDefinition ${plural}.gateway.networking.k8s.io`);
  }
  return doc;
}

/**
 * The Kubernetes Gateway API CRDs (standard channel, {@link GATEWAY_API_VERSION}) as objects of
 * the tree. Place it in `infrastructure/controllers`: kustomize-controller applies CRDs first within
 * a Kustomization and waits for them to be established, so the gateway controller's chart (its
 * GatewayClass) in the same layer and the Gateways and HTTPRoutes of later layers find them. No
 * Helm chart of a maintained controller installs them for Kubernetes 1.28 (Traefik's chart no
 * longer ships them; Envoy Gateway's CRD chart carries the 1.30+ admission policy), hence the tree.
 */
export class GatewayApiCrds extends Construct {
  /** The Gateway API version. */
  public readonly version = GATEWAY_API_VERSION;
  /** `metadata.name` of each CRD. */
  public readonly names: readonly string[];

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const docs = GATEWAY_API_STANDARD_CRDS.map(readCrd);
    for (const doc of docs) {
      new ApiObject(this, doc.metadata.name, doc);
    }
    this.names = docs.map((d) => d.metadata.name);
  }
}
