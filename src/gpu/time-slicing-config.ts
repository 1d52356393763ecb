import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { InvalidPropError } from '../core/errors.js';
import { GPU_RESOURCE, LabelKeys, MANAGED_BY } from '../core/labels.js';
import { validateDnsLabel, validateDnsSubdomain } from '../core/names.js';

/** Node label through which the NVIDIA device plugin picks a named config for a node. */
export const DEVICE_PLUGIN_CONFIG_LABEL = 'nvidia.com/device-plugin.config';

/** Name of the always-present profile that advertises whole GPUs (no sharing). */
export const WHOLE_GPU_PROFILE = 'whole-gpu';

/** Suffix GPU Feature Discovery appends to `nvidia.com/gpu.product` on time-sliced nodes (without rename). */
export const SHARED_PRODUCT_SUFFIX = '-SHARED';

/** The most pods one physical GPU may be shared between. */
export const MAX_TIME_SLICING_REPLICAS = 64;

/** A time-slicing profile: how many pods share each GPU on the nodes labelled with it. */
export interface TimeSlicingProfile {
  /** The profile name: the ConfigMap key and the value of the `nvidia.com/device-plugin.config` node label. */
  readonly name: string;
  /** How many pods share each physical GPU (the device plugin advertises replicas x GPUs). At least 2. */
  readonly replicas: number;
  /**
   * Reject pods that request more than one shared GPU (they would get no more compute, only more
   * slices of the same card). NVIDIA recommends true.
   * @default true
   */
  readonly failRequestsGreaterThanOne?: boolean;
  /**
   * Advertise the shared GPUs as `nvidia.com/gpu.shared` instead of `nvidia.com/gpu` (workloads
   * must then request that resource).
   * @default false
   */
  readonly renameByDefault?: boolean;
}

/** Props of {@link GpuTimeSlicingConfig}. */
export interface GpuTimeSlicingConfigProps {
  /**
   * `metadata.name` of the ConfigMap (the device plugin Helm value `config.name`).
   * @default 'nvidia-device-plugin-config'
   */
  readonly name?: string;
  /**
   * Namespace of the NVIDIA device plugin, where the ConfigMap must live.
   * @default 'nvidia-device-plugin'
   */
  readonly namespace?: string;
  /** The sharing profiles (the whole-GPU profile is always added). */
  readonly profiles: TimeSlicingProfile[];
  /**
   * The profile for GPU nodes without a `nvidia.com/device-plugin.config` label (Helm value
   * `config.default`).
   * @default WHOLE_GPU_PROFILE ('whole-gpu': no sharing)
   */
  readonly defaultProfile?: string;
}

/** A profile as plain data, for node pools and the capacity model. */
export interface TimeSlicingProfileData {
  /** Profile name. */
  readonly name: string;
  /** Pods per physical GPU (1 for the whole-GPU profile). */
  readonly replicas: number;
  /** The extended resource the nodes advertise. */
  readonly resourceName: string;
  /** Node labels that select the profile. */
  readonly nodeLabels: Readonly<Record<string, string>>;
  /** What GPU Feature Discovery appends to `nvidia.com/gpu.product` on these nodes. */
  readonly productLabelSuffix: string;
}

const PROFILE_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * The NVIDIA device plugin's time-slicing configuration: a ConfigMap with one key per sharing
 * profile, each holding a device-plugin config (`version: v1`, `sharing.timeSlicing`), plus a
 * `whole-gpu` profile without sharing. Point the device plugin at it with {@link helmValues}, and
 * label a node pool with {@link nodeLabels} to share its GPUs. Time slicing gives no memory or
 * fault isolation between the pods on a GPU, and one profile applies to every GPU of a node.
 */
export class GpuTimeSlicingConfig extends Construct {
  /** `metadata.name` of the ConfigMap. */
  public readonly configMapName: string;
  /** Its namespace (the device plugin's). */
  public readonly namespace: string;
  /** The profile used by unlabelled GPU nodes. */
  public readonly defaultProfile: string;
  /** Every profile (whole-GPU first, then sorted by name) as plain data. */
  public readonly profiles: readonly TimeSlicingProfileData[];
  /** The rendered ConfigMap. */
  public readonly resource: k8s.KubeConfigMap;

  constructor(scope: Construct, id: string, props: GpuTimeSlicingConfigProps) {
    super(scope, id);
    this.configMapName = validateDnsSubdomain(this, 'name', props.name ?? 'nvidia-device-plugin-config');
    this.namespace = validateDnsLabel(this, 'namespace', props.namespace ?? 'nvidia-device-plugin');
    if (!Array.isArray(props.profiles) || props.profiles.length === 0) {
      throw new InvalidPropError(this, 'profiles', props.profiles, "must list at least one sharing profile, e.g. [{ name: 'a10-shared-4', replicas: 4 }]");
    }
    const seen = new Set<string>([WHOLE_GPU_PROFILE]);
    const data: Record<string, string> = { [WHOLE_GPU_PROFILE]: renderDevicePluginConfig() };
    const profiles: TimeSlicingProfileData[] = [profileData(WHOLE_GPU_PROFILE, 1, GPU_RESOURCE, '')];
    const sorted = [...props.profiles].map((p, i) => ({ p, i })).sort((a, b) => (a.p.name < b.p.name ? -1 : a.p.name > b.p.name ? 1 : 0));
    for (const { p, i } of sorted) {
      if (typeof p.name !== 'string' || !PROFILE_NAME.test(p.name) || p.name.length > 63) {
        throw new InvalidPropError(this, `profiles[${i}].name`, p.name,
          "must be usable as a ConfigMap key and a label value: letters, digits, '-', '_' and '.', starting and ending with a letter or digit, at most 63 characters");
      }
      if (seen.has(p.name)) {
        throw new InvalidPropError(this, `profiles[${i}].name`, p.name, `must be unique (and '${WHOLE_GPU_PROFILE}' is reserved for the unshared profile)`);
      }
      seen.add(p.name);
      if (!Number.isInteger(p.replicas) || p.replicas < 2 || p.replicas > MAX_TIME_SLICING_REPLICAS) {
        throw new InvalidPropError(this, `profiles[${i}].replicas`, p.replicas,
          `must be a whole number from 2 to ${MAX_TIME_SLICING_REPLICAS} (pods per GPU; the device plugin rejects fewer than 2)`);
      }
      const rename = p.renameByDefault ?? false;
      data[p.name] = renderDevicePluginConfig({ replicas: p.replicas, renameByDefault: rename, failRequestsGreaterThanOne: p.failRequestsGreaterThanOne ?? true });
      profiles.push(profileData(p.name, p.replicas, rename ? `${GPU_RESOURCE}.shared` : GPU_RESOURCE, rename ? '' : SHARED_PRODUCT_SUFFIX));
    }
    this.profiles = profiles;
    this.defaultProfile = props.defaultProfile ?? WHOLE_GPU_PROFILE;
    if (!seen.has(this.defaultProfile)) {
      throw new InvalidPropError(this, 'defaultProfile', this.defaultProfile, `must be one of the profiles: ${[...seen].join(', ')}`);
    }
    this.resource = new k8s.KubeConfigMap(this, 'Resource', {
      metadata: { name: this.configMapName, namespace: this.namespace, labels: { [LabelKeys.managedBy]: MANAGED_BY } },
      data,
    });
  }

  /** Pods per physical GPU for each profile, e.g. `{ 'whole-gpu': 1, 'a10-shared-4': 4 }`. */
  public get timeSlicingReplicas(): Record<string, number> {
    return Object.fromEntries(this.profiles.map((p) => [p.name, p.replicas]));
  }

  /** The node labels that put a node pool on `profile`. */
  public nodeLabels(profile: string): Record<string, string> {
    const found = this.profiles.find((p) => p.name === profile);
    if (!found) {
      throw new InvalidPropError(this, 'profile', profile, `must be one of the profiles: ${this.profiles.map((p) => p.name).join(', ')}`);
    }
    return { ...found.nodeLabels };
  }

  /** Helm values that point the NVIDIA device plugin chart at this ConfigMap. */
  public get helmValues(): { config: { name: string; default: string } } {
    return { config: { name: this.configMapName, default: this.defaultProfile } };
  }
}

/** The device-plugin config YAML for one profile (no `sharing` section for whole GPUs). */
export function renderDevicePluginConfig(sharing?: { replicas: number; renameByDefault: boolean; failRequestsGreaterThanOne: boolean }): string {
  const config = {
    version: 'v1',
    flags: { migStrategy: 'none' },
    ...(sharing ? {
      sharing: {
        timeSlicing: {
          renameByDefault: sharing.renameByDefault,
          failRequestsGreaterThanOne: sharing.failRequestsGreaterThanOne,
          resources: [{ name: GPU_RESOURCE, replicas: sharing.replicas }],
        },
      },
    } : {}),
  };
  return stringify(config, { lineWidth: 0 });
}

function profileData(name: string, replicas: number, resourceName: string, productLabelSuffix: string): TimeSlicingProfileData {
  return { name, replicas, resourceName, nodeLabels: { [DEVICE_PLUGIN_CONFIG_LABEL]: name }, productLabelSuffix };
}
