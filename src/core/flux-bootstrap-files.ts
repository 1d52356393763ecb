/**
 * The files `flux bootstrap` commits under its `--path`: `flux-system/gotk-components.yaml` (the
 * Flux controllers) and `flux-system/gotk-sync.yaml` (its own GitRepository and Kustomization
 * `flux-system`), plus a `kustomization.yaml` listing them. They sit in the rendered tree (a render
 * keeps them, see `FluxCluster`) but are not part of it: the readers of a tree (`check`, `plan`,
 * `diff`, `nodes prepare`) leave them out, as the generated cluster kustomization does.
 */

/** The directory `flux bootstrap` writes under its `--path`. */
export const FLUX_BOOTSTRAP_DIRECTORY = 'flux-system';

const BOOTSTRAP_FILE = /(^|[/\\])flux-system[/\\]gotk-(components|sync)\.yaml$/;

/** Whether a path (any separator, relative or absolute) is one of the manifests `flux bootstrap` writes. */
export function isFluxBootstrapFile(path: string): boolean {
  return BOOTSTRAP_FILE.test(path);
}
