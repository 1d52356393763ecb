import { k8s } from 'cdk8s-plus-28';

/** A Secret mounted as files (e.g. a kubeconfig or a TLS bundle written by an ExternalSecret). */
export interface SecretVolume {
  /** Volume name (unique in the pod). */
  readonly name: string;
  /** Directory the files appear in. */
  readonly mountPath: string;
  /** The Secret's name. */
  readonly secretName: string;
  /**
   * Only these keys, each as a file at `path` (relative to `mountPath`).
   * @default - every key of the Secret, each as a file named after the key
   */
  readonly items?: ReadonlyArray<{ readonly key: string; readonly path: string }>;
  /**
   * File mode of the projected files.
   * @default 0o440 (owner and group read; the pod's fsGroup makes them readable to the non-root user)
   */
  readonly defaultMode?: number;
}

/** The default mode of files projected from a Secret. */
export const DEFAULT_SECRET_FILE_MODE = 0o440;

/**
 * The pod volume and the read-only container mount for a {@link SecretVolume}, for workloads
 * that accept secret volumes.
 */
export function renderSecretVolume(volume: SecretVolume): { volume: k8s.Volume; mount: k8s.VolumeMount } {
  return {
    volume: {
      name: volume.name,
      secret: {
        secretName: volume.secretName,
        defaultMode: volume.defaultMode ?? DEFAULT_SECRET_FILE_MODE,
        ...(volume.items && volume.items.length > 0 ? { items: volume.items.map((i) => ({ key: i.key, path: i.path })) } : {}),
      },
    },
    mount: { name: volume.name, mountPath: volume.mountPath, readOnly: true },
  };
}
