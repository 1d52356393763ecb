import { Construct } from 'constructs';
import { HelmRelease, HelmRepository } from './helm-release.js';
import { operatorNamespace, type PodSecurityLevel } from './operator-namespace.js';
import { DCGM_ALERT_COUNTERS } from '../observability/gpu-platform-alerts.js';
import type { MonitoringStack } from '../observability/monitoring-stack.js';

/** A pinned operator chart. */
export interface OperatorChart {
  /** Chart version (exact). */
  readonly version: string;
  /**
   * Extra chart values.
   * @default {}
   */
  readonly values?: Record<string, unknown>;
}

/** Props of {@link PlatformOperators}. */
export interface PlatformOperatorsProps {
  /**
   * External Secrets Operator (chart `external-secrets` from charts.external-secrets.io).
   * @default { version: '2.9.0' } (matches the vendored ESO CRDs; the Pulumi provider's `auth.accessToken` needs ESO 2.5 or later)
   */
  readonly externalSecrets?: OperatorChart;
  /**
   * KEDA (chart `keda` from kedacore.github.io/charts).
   * @default { version: '2.20.2' } (matches the vendored KEDA CRD)
   */
  readonly keda?: OperatorChart;
  /**
   * NVIDIA device plugin with GPU feature discovery (chart `nvidia-device-plugin`).
   * @default { version: '0.17.4' }
   */
  readonly nvidiaDevicePlugin?: OperatorChart;
  /**
   * Name of the time-slicing ConfigMap (in the device plugin's namespace) the plugin reads.
   * @default - no time-slicing config
   */
  readonly timeSlicingConfigMap?: string;
  /**
   * The time-slicing profile used by nodes without a `nvidia.com/device-plugin.config` label.
   * @default - whole GPUs unless a node selects a profile
   */
  readonly timeSlicingDefaultProfile?: string;
  /**
   * DCGM exporter for GPU metrics (chart `dcgm-exporter`).
   * @default { version: '4.6.0' }
   */
  readonly dcgmExporter?: OperatorChart;
  /**
   * The Prometheus Operator stack whose CRDs the operators' ServiceMonitors use. With it, the DCGM
   * exporter and External Secrets get ServiceMonitors the stack's Prometheus selects, and their
   * HelmReleases depend on the stack's (so the CRDs exist first); the exporter also exports the
   * counters the GPU health alerts read ({@link DCGM_ALERT_COUNTERS}).
   * @default - no ServiceMonitors (the dcgm-exporter chart's default one is switched off, since
   *   without the stack its CRD does not exist and the install would fail)
   */
  readonly monitoring?: MonitoringStack;
  /**
   * PriorityClass of the cluster-level operators (ESO, KEDA): they must not be preempted by any
   * `lambda-*` workload class. The node agents (device plugin, DCGM exporter) always get
   * `system-node-critical`.
   * @default 'system-cluster-critical' (built into every cluster, outranks every user class)
   */
  readonly operatorPriorityClassName?: string;
}

/** The DCGM exporter's default counter list (chart 4.6.0, `etc/default-counters.csv`) plus the alert counters. */
function dcgmCounters(): string {
  const defaults = [
    'DCGM_FI_DEV_SM_CLOCK, gauge, SM clock frequency (in MHz).',
    'DCGM_FI_DEV_MEM_CLOCK, gauge, Memory clock frequency (in MHz).',
    'DCGM_FI_DEV_MEMORY_TEMP, gauge, Memory temperature (in C).',
    'DCGM_FI_DEV_GPU_TEMP, gauge, GPU temperature (in C).',
    'DCGM_FI_DEV_POWER_USAGE, gauge, Power draw (in W).',
    'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION, counter, Total energy consumption since boot (in mJ).',
    'DCGM_FI_DEV_PCIE_REPLAY_COUNTER, counter, Total number of PCIe retries.',
    'DCGM_FI_DEV_GPU_UTIL, gauge, GPU utilization (in %).',
    'DCGM_FI_DEV_MEM_COPY_UTIL, gauge, Memory utilization (in %).',
    'DCGM_FI_DEV_XID_ERRORS, gauge, Value of the last XID error encountered.',
    'DCGM_FI_DEV_POWER_VIOLATION, counter, Throttling duration due to power constraints (in us).',
    'DCGM_FI_DEV_THERMAL_VIOLATION, counter, Throttling duration due to thermal constraints (in us).',
    'DCGM_FI_DEV_FB_FREE, gauge, Framebuffer memory free (in MiB).',
    'DCGM_FI_DEV_FB_USED, gauge, Framebuffer memory used (in MiB).',
    'DCGM_FI_DEV_ECC_DBE_VOL_TOTAL, counter, Total number of double-bit volatile ECC errors.',
    'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS, counter, Number of remapped rows for uncorrectable errors',
    'DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS, counter, Number of remapped rows for correctable errors',
    'DCGM_FI_DEV_ROW_REMAP_FAILURE, gauge, Whether remapping of rows has failed',
    'DCGM_FI_PROF_GR_ENGINE_ACTIVE, gauge, Ratio of time the graphics engine is active.',
    'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE, gauge, Ratio of cycles the tensor (HMMA) pipe is active.',
    'DCGM_FI_PROF_DRAM_ACTIVE, gauge, Ratio of cycles the device memory interface is active sending or receiving data.',
  ];
  for (const c of DCGM_ALERT_COUNTERS) {
    if (!defaults.some((d) => d.startsWith(`${c},`))) throw new Error(`DCGM counter ${c} used by an alert is missing from the exporter's counter list`);
  }
  return `${defaults.join('\n')}\n`;
}

/** Node label NFD sets on nodes with an NVIDIA PCI device (vendor id 10de); the device plugin chart's own affinity uses it. */
export const NVIDIA_PCI_NODE_LABEL = 'feature.node.kubernetes.io/pci-10de.present';

/** PriorityClass of node agents (device plugin, DCGM exporter): built in, never preempted by user classes. */
export const NODE_AGENT_PRIORITY_CLASS = 'system-node-critical';
/** Default PriorityClass of the cluster-level operators. */
export const OPERATOR_PRIORITY_CLASS = 'system-cluster-critical';

/** One operator's chart source and release. */
interface OperatorRelease {
  readonly id: string;
  readonly repository: string;
  readonly url: string;
  readonly namespace: string;
  readonly chart: string;
  readonly version: string;
  readonly values: Record<string, unknown>;
  /** Renders monitoring objects: depends on the monitoring stack's release when there is one. */
  readonly monitored?: boolean;
}

/** Namespaces the operators run in. */
export const OperatorNamespaces = {
  externalSecrets: 'external-secrets',
  keda: 'keda',
  nvidia: 'nvidia-device-plugin',
} as const;

/**
 * The operators a GPU platform needs, as Flux HelmRepositories and HelmReleases with pinned chart
 * versions, and their namespaces: External Secrets Operator (Pulumi ESC), KEDA, the NVIDIA device
 * plugin (with GPU feature discovery, tolerating the GPU taint) and the DCGM exporter. Place it
 * in the `infrastructure/controllers` directory.
 */
export class PlatformOperators extends Construct {
  /** The device plugin's namespace (where the time-slicing ConfigMap must live). */
  public readonly nvidiaNamespace: string = OperatorNamespaces.nvidia;

  constructor(scope: Construct, id: string, props: PlatformOperatorsProps = {}) {
    super(scope, id);
    const namespace = (name: string, podSecurity: PodSecurityLevel) => operatorNamespace(this, `Namespace-${name}`, name, podSecurity,
      'operator namespace: its chart needs API-server egress and webhook ingress from the control plane, whose addresses are not known to the tree');
    namespace(OperatorNamespaces.externalSecrets, 'restricted');
    namespace(OperatorNamespaces.keda, 'restricted');
    // the device plugin and DCGM exporter mount host paths (/var/lib/kubelet/device-plugins, /dev)
    namespace(OperatorNamespaces.nvidia, 'privileged');

    const gpuToleration = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }];
    const operatorPriority = props.operatorPriorityClassName ?? OPERATOR_PRIORITY_CLASS;
    // Chart value names checked at the pinned versions: external-secrets 2.9.0 (priorityClassName
    // for the controller, webhook and certController), keda 2.20.2 (one priorityClassName for all
    // components), nvidia-device-plugin 0.17.4 and dcgm-exporter 4.6.0 (priorityClassName).
    const operators: OperatorRelease[] = [
      {
        id: 'ExternalSecrets', repository: 'external-secrets', url: 'https://charts.external-secrets.io',
        namespace: OperatorNamespaces.externalSecrets, chart: 'external-secrets', version: props.externalSecrets?.version ?? '2.9.0',
        values: {
          installCRDs: true,
          // ESO 2.9.0's (Cluster)PushSecret CRDs carry CEL rules whose estimated cost exceeds a
          // Kubernetes 1.28 apiserver's budget: the 1.28 apiserver rejects them (found by the
          // cluster tests' Tier A128 rendering this chart). The platform only pulls secrets, so
          // those CRDs and their controllers are left out.
          crds: { createPushSecret: false, createClusterPushSecret: false },
          processPushSecret: false,
          processClusterPushSecret: false,
          priorityClassName: operatorPriority,
          webhook: { priorityClassName: operatorPriority },
          certController: { priorityClassName: operatorPriority },
          ...(props.monitoring ? { serviceMonitor: { enabled: true, renderMode: 'failIfMissing', additionalLabels: { ...props.monitoring.prometheus.selectorLabels } } } : {}),
          ...(props.externalSecrets?.values ?? {}),
        },
        monitored: true,
      },
      {
        id: 'Keda', repository: 'kedacore', url: 'https://kedacore.github.io/charts',
        namespace: OperatorNamespaces.keda, chart: 'keda', version: props.keda?.version ?? '2.20.2',
        values: { priorityClassName: operatorPriority, ...(props.keda?.values ?? {}) },
      },
      {
        id: 'NvidiaDevicePlugin', repository: 'nvidia-device-plugin', url: 'https://nvidia.github.io/k8s-device-plugin',
        namespace: OperatorNamespaces.nvidia, chart: 'nvidia-device-plugin', version: props.nvidiaDevicePlugin?.version ?? '0.17.4',
        values: {
          // gfd.enabled also installs node-feature-discovery (chart dependency condition nfd.enabled,gfd.enabled)
          gfd: { enabled: true },
          tolerations: gpuToleration,
          priorityClassName: NODE_AGENT_PRIORITY_CLASS,
          ...(props.timeSlicingConfigMap ? {
            config: { name: props.timeSlicingConfigMap, ...(props.timeSlicingDefaultProfile ? { default: props.timeSlicingDefaultProfile } : {}) },
          } : {}),
          ...(props.nvidiaDevicePlugin?.values ?? {}),
        },
      },
      {
        id: 'DcgmExporter', repository: 'dcgm-exporter', url: 'https://nvidia.github.io/dcgm-exporter/helm-charts',
        namespace: OperatorNamespaces.nvidia, chart: 'dcgm-exporter', version: props.dcgmExporter?.version ?? '4.6.0',
        // GFD never sets nvidia.com/gpu.present; NFD (installed with GFD above) sets the PCI vendor label.
        values: {
          tolerations: gpuToleration,
          nodeSelector: { [NVIDIA_PCI_NODE_LABEL]: 'true' },
          priorityClassName: NODE_AGENT_PRIORITY_CLASS,
          ...(props.monitoring ? {
            serviceMonitor: { enabled: true, additionalLabels: { ...props.monitoring.prometheus.selectorLabels } },
            // read the counter list from the chart's ConfigMap (values.yaml: arguments -m namespace:name)
            arguments: ['-m', `${OperatorNamespaces.nvidia}:exporter-metrics-config-map`],
            customMetrics: dcgmCounters(),
          } : { serviceMonitor: { enabled: false } }),
          ...(props.dcgmExporter?.values ?? {}),
        },
        monitored: true,
      },
    ];
    for (const operator of operators) {
      const repository = new HelmRepository(this, `${operator.id}Repo`, { name: operator.repository, url: operator.url });
      new HelmRelease(this, operator.id, {
        name: operator.chart, namespace: operator.namespace, repository, chart: operator.chart, version: operator.version, values: operator.values,
        ...(operator.monitored && props.monitoring ? { dependsOn: [props.monitoring.release] } : {}),
      });
    }
  }
}
