/**
 * Storage classes of the cluster model: which StorageClasses the cluster offers, which one is
 * the default, and which of them the tree renders (the others are preinstalled on the cluster).
 * The `storage-class-exists` gate rule and the ClusterModel construct read this one list.
 */

/** Whether a claim is bound when it is created or when its first pod is scheduled. */
export type VolumeBindingMode = 'WaitForFirstConsumer' | 'Immediate';
const BINDING_MODES: readonly VolumeBindingMode[] = ['WaitForFirstConsumer', 'Immediate'];
/** What happens to a volume when its claim is deleted. */
export type ReclaimPolicy = 'Delete' | 'Retain';
const RECLAIM_POLICIES: readonly ReclaimPolicy[] = ['Delete', 'Retain'];

/** Annotation that marks the default StorageClass (DefaultStorageClass admission reads it). */
export const DEFAULT_STORAGE_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';

/** One StorageClass of the cluster model, every field resolved. */
export interface StorageClassModel {
  /** `metadata.name` of the StorageClass. */
  readonly name: string;
  /** The CSI driver or provisioner, e.g. `rancher.io/local-path`. */
  readonly provisioner: string;
  /** Claims without `storageClassName` get this class. At most one class is the default. */
  readonly default: boolean;
  readonly volumeBindingMode: VolumeBindingMode;
  readonly reclaimPolicy: ReclaimPolicy;
  readonly parameters: Readonly<Record<string, string>>;
  /** True when the cluster already has this class: the model records it and the tree does not render it. */
  readonly preinstalled: boolean;
  /**
   * True when a volume of this class lives on one node's disk (PV node affinity to that node):
   * a pod with such a claim can only run on that node again, which the planner's drain
   * simulation honours.
   */
  readonly nodeLocal: boolean;
}

/** Provisioners whose volumes are node-local (the `nodeLocal` default): local-path-provisioner and static local volumes. */
export const NODE_LOCAL_PROVISIONERS: readonly string[] = ['rancher.io/local-path', 'kubernetes.io/no-provisioner'];

const KEYS = ['name', 'provisioner', 'default', 'volumeBindingMode', 'reclaimPolicy', 'parameters', 'preinstalled', 'nodeLocal'];
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PROVISIONER = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?(\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** A problem with a field of the storage class list (dotted path from the document root). */
export interface StorageClassProblem {
  readonly field: string;
  readonly message: string;
}

/**
 * Reads the `storageClasses` list of a cluster model document (absent: none). Defaults:
 * `default: false`, `volumeBindingMode: WaitForFirstConsumer` (node-local volumes must be bound
 * where the pod lands), `reclaimPolicy: Delete`, `parameters: {}`, `preinstalled: false`.
 */
export function readStorageClasses(value: unknown, field = 'storageClasses'): { classes: StorageClassModel[]; problems: StorageClassProblem[] } {
  const problems: StorageClassProblem[] = [];
  const classes: StorageClassModel[] = [];
  if (value === undefined) return { classes, problems };
  if (!Array.isArray(value)) return { classes, problems: [{ field, message: `must be a list of {name, provisioner, default?, volumeBindingMode?, reclaimPolicy?, parameters?, preinstalled?, nodeLocal?}, got ${JSON.stringify(value)}` }] };
  const seen = new Set<string>();
  value.forEach((entry, i) => {
    const at = `${field}[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push({ field: at, message: `must be an object with name and provisioner, got ${JSON.stringify(entry)}` });
      return;
    }
    const e = entry as Record<string, unknown>;
    for (const key of Object.keys(e)) if (!KEYS.includes(key)) problems.push({ field: `${at}.${key}`, message: `unknown field; allowed fields: ${KEYS.join(', ')}` });
    const before = problems.length;
    if (typeof e.name !== 'string' || !DNS_SUBDOMAIN.test(e.name) || e.name.length > 253) problems.push({ field: `${at}.name`, message: `must be a DNS subdomain name, got ${JSON.stringify(e.name)}` });
    else if (seen.has(e.name)) problems.push({ field: `${at}.name`, message: `duplicate storage class ${JSON.stringify(e.name)}` });
    else seen.add(e.name);
    if (typeof e.provisioner !== 'string' || !PROVISIONER.test(e.provisioner)) problems.push({ field: `${at}.provisioner`, message: `must be a provisioner name such as "rancher.io/local-path", got ${JSON.stringify(e.provisioner)}` });
    if (e.default !== undefined && typeof e.default !== 'boolean') problems.push({ field: `${at}.default`, message: `must be true or false, got ${JSON.stringify(e.default)}` });
    if (e.preinstalled !== undefined && typeof e.preinstalled !== 'boolean') problems.push({ field: `${at}.preinstalled`, message: `must be true or false, got ${JSON.stringify(e.preinstalled)}` });
    if (e.nodeLocal !== undefined && typeof e.nodeLocal !== 'boolean') problems.push({ field: `${at}.nodeLocal`, message: `must be true or false, got ${JSON.stringify(e.nodeLocal)}` });
    if (e.volumeBindingMode !== undefined && !BINDING_MODES.includes(e.volumeBindingMode as VolumeBindingMode)) problems.push({ field: `${at}.volumeBindingMode`, message: `must be one of ${BINDING_MODES.join(', ')}, got ${JSON.stringify(e.volumeBindingMode)}` });
    if (e.reclaimPolicy !== undefined && !RECLAIM_POLICIES.includes(e.reclaimPolicy as ReclaimPolicy)) problems.push({ field: `${at}.reclaimPolicy`, message: `must be one of ${RECLAIM_POLICIES.join(', ')}, got ${JSON.stringify(e.reclaimPolicy)}` });
    const parameters = e.parameters ?? {};
    if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters) || Object.values(parameters).some((v) => typeof v !== 'string')) {
      problems.push({ field: `${at}.parameters`, message: `must be a map of string to string, got ${JSON.stringify(parameters)}` });
    }
    if (problems.length > before) return;
    classes.push({
      name: e.name as string,
      provisioner: e.provisioner as string,
      default: (e.default as boolean | undefined) ?? false,
      volumeBindingMode: (e.volumeBindingMode as VolumeBindingMode | undefined) ?? 'WaitForFirstConsumer',
      reclaimPolicy: (e.reclaimPolicy as ReclaimPolicy | undefined) ?? 'Delete',
      parameters: parameters as Record<string, string>,
      preinstalled: (e.preinstalled as boolean | undefined) ?? false,
      nodeLocal: (e.nodeLocal as boolean | undefined) ?? NODE_LOCAL_PROVISIONERS.includes(e.provisioner as string),
    });
  });
  const defaults = classes.filter((c) => c.default);
  if (defaults.length > 1) problems.push({ field, message: `more than one default storage class (${defaults.map((c) => c.name).join(', ')}); mark at most one default: true` });
  return { classes, problems };
}
