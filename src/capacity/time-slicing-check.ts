/**
 * Cross-checks node pools against the NVIDIA device plugin's time-slicing config in the tree: a
 * pool labelled `nvidia.com/device-plugin.config: <profile>` must model the replicas that profile
 * gives, or the plan counts GPU slots the nodes will not advertise.
 */
import jsYaml from 'js-yaml';
import { GPU_RESOURCE } from '../core/labels.js';
import type { ClusterModelDocument } from '../cluster/cluster-model-document.js';
import type { ManifestObject } from '../policy/loader.js';

/** The node label that selects a device-plugin config profile. */
const PROFILE_LABEL = 'nvidia.com/device-plugin.config';

interface Profile {
  readonly replicas: number;
  readonly file: string;
}

/** Device-plugin profiles found in ConfigMaps: data keys whose YAML is a `version: v1` plugin config. */
function profilesOf(objects: readonly ManifestObject[]): Map<string, Profile> {
  const profiles = new Map<string, Profile>();
  for (const entry of objects) {
    if (entry.object.kind !== 'ConfigMap') continue;
    const data = (entry.object as { data?: Record<string, unknown> }).data ?? {};
    for (const [key, text] of Object.entries(data)) {
      if (typeof text !== 'string' || !/^version:\s*v1\b/m.test(text)) continue;
      let config: { sharing?: { timeSlicing?: { resources?: { name?: string; replicas?: number }[] } } };
      try {
        config = (jsYaml.load(text) ?? {}) as typeof config;
      } catch {
        continue;
      }
      const resource = config.sharing?.timeSlicing?.resources?.find((r) => r.name === GPU_RESOURCE);
      profiles.set(key, { replicas: typeof resource?.replicas === 'number' ? resource.replicas : 1, file: entry.source.file });
    }
  }
  return profiles;
}

/** Warnings for pools whose time-slicing replicas disagree with their device-plugin profile. */
export function timeSlicingWarnings(model: ClusterModelDocument, objects: readonly ManifestObject[]): string[] {
  const pools = model.pools.filter((p) => p.labels[PROFILE_LABEL] !== undefined);
  if (pools.length === 0) return [];
  const profiles = profilesOf(objects);
  const warnings: string[] = [];
  for (const pool of pools) {
    const name = pool.labels[PROFILE_LABEL];
    const profile = profiles.get(name);
    if (!profile) {
      warnings.push(`pool ${pool.name}: device-plugin profile '${name}' (label ${PROFILE_LABEL}) is not in any ConfigMap of the tree; the plan assumes ${pool.timeSlicingReplicas} replica(s) per GPU`);
    } else if (profile.replicas !== pool.timeSlicingReplicas) {
      warnings.push(`pool ${pool.name}: models ${pool.timeSlicingReplicas} time-slicing replica(s) per GPU but device-plugin profile '${name}' in ${profile.file} gives ${profile.replicas}`);
    }
  }
  return warnings;
}
