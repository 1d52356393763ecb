import { Construct } from 'constructs';
import { HOME_MOUNT_PATH } from './model-server-presets.js';
import { CpuServiceOptions, ServiceWorkload } from './service-workload.js';

/** The pinned default Portkey AI gateway image. */
export const PORTKEY_GATEWAY_IMAGE = 'portkeyai/gateway:1.15.2';

/** Props of {@link PortkeyGateway}. */
export interface PortkeyGatewayProps extends CpuServiceOptions {
  /**
   * Image.
   * @default PORTKEY_GATEWAY_IMAGE
   */
  readonly image?: string;
}

/**
 * The open-source Portkey AI gateway: a stateless Deployment (2 replicas) + Service on :8787,
 * readiness and liveness on `GET /` (the gateway has no `/health` route), production mode
 * (`NODE_ENV=production`, no UI). Clients call `/v1/...` with an `x-portkey-config` or
 * `x-portkey-provider` header; `x-portkey-custom-host` points it at an in-cluster vLLM Service.
 * Defaults: 250m CPU (burst 1), 256Mi memory (limit 512Mi).
 */
export class PortkeyGateway extends ServiceWorkload {
  /** The OpenAI-compatible base URL, e.g. `http://gateway.gateway.svc.cluster.local:8787/v1`. */
  public readonly openAiBaseUrl: string;

  constructor(scope: Construct, id: string, props: PortkeyGatewayProps = {}) {
    super(scope, id, {
      ...props,
      image: props.image ?? PORTKEY_GATEWAY_IMAGE,
      component: 'gateway',
      ports: [{ name: 'http', containerPort: 8787 }],
      healthPath: '/',
      resources: {
        cpu: props.resources?.cpu ?? { request: '250m', limit: '1' },
        memory: props.resources?.memory ?? { request: '256Mi', limit: '512Mi' },
        ...(props.resources?.ephemeralStorage ? { ephemeralStorage: props.resources.ephemeralStorage } : {}),
      },
      env: { NODE_ENV: 'production', HOME: HOME_MOUNT_PATH, npm_config_cache: `${HOME_MOUNT_PATH}/.npm`, ...(props.env ?? {}) },
      scratchVolumes: [{ name: 'home', mountPath: HOME_MOUNT_PATH, sizeLimit: '256Mi' }],
    });
    this.openAiBaseUrl = `${this.endpoint}/v1`;
  }
}
