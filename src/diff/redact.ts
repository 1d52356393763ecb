import { Manifest } from './model.js';
import { childPath, indexPath, isRecord, itemPath } from './paths.js';

/**
 * Secret masking. Values in these places never reach any output; a diff shows only that a key was
 * added, removed or changed:
 * - Secret `data`/`stringData`, SealedSecret `spec.encryptedData` and `spec.template.data`;
 * - ExternalSecret/ClusterExternalSecret target templates (`spec.target.template.data`,
 *   `spec.externalSecretSpec.target.template.data`), where resolved values are templated in;
 * - `env[].value` wherever the variable name looks like a credential (see {@link CREDENTIAL_NAME});
 * - HelmRelease `spec.values` and Flux `spec.postBuild.substitute` entries with credential-like keys;
 * - the `kubectl.kubernetes.io/last-applied-configuration` annotation (it copies the whole object).
 */
export const CREDENTIAL_NAME = /pass(word|wd|phrase)?|secret|token|credential|auth|private|cert|dsn|cookie|session|salt|signature|api[-_]?key|access[-_]?key|(^|[-_.])key($|[-_.])/i;

/** Shown for a hidden value that is the same on both sides or exists on one side only. */
export const HIDDEN = '(hidden)';
/** Shown for a hidden value before a change. */
export const HIDDEN_BEFORE = '(hidden, before)';
/** Shown for a hidden value after a change. */
export const HIDDEN_AFTER = '(hidden, after)';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** A sensitive value and how to replace it in a copy of the manifest. */
interface Slot {
  readonly value: unknown;
  readonly replace: (token: string) => void;
}

/**
 * Copies of a base/head pair of one object with every sensitive value replaced by a token:
 * equal values become {@link HIDDEN} on both sides, different ones {@link HIDDEN_BEFORE} and
 * {@link HIDDEN_AFTER}, one-sided ones {@link HIDDEN}. Objects without sensitive values are
 * returned as they are (not copied).
 */
export function maskPair(base: Manifest | undefined, head: Manifest | undefined): [Manifest | undefined, Manifest | undefined] {
  const maskedBase = base && hasSensitiveValues(base) ? structuredClone(base) : base;
  const maskedHead = head && hasSensitiveValues(head) ? structuredClone(head) : head;
  const baseSlots = maskedBase !== base && maskedBase ? sensitiveSlots(maskedBase) : new Map<string, Slot>();
  const headSlots = maskedHead !== head && maskedHead ? sensitiveSlots(maskedHead) : new Map<string, Slot>();
  for (const [id, slot] of baseSlots) {
    const other = headSlots.get(id);
    if (other === undefined) slot.replace(HIDDEN);
    else if (sameValue(slot.value, other.value)) slot.replace(HIDDEN);
    else slot.replace(HIDDEN_BEFORE);
  }
  for (const [id, slot] of headSlots) {
    const other = baseSlots.get(id);
    slot.replace(other === undefined || sameValue(slot.value, other.value) ? HIDDEN : HIDDEN_AFTER);
  }
  return [maskedBase, maskedHead];
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Whether a manifest holds any value {@link maskPair} would hide. */
export function hasSensitiveValues(manifest: Manifest): boolean {
  return sensitiveSlots(manifest).size > 0;
}

function sensitiveSlots(manifest: Manifest): Map<string, Slot> {
  const slots = new Map<string, Slot>();
  const everyEntry = (holder: unknown, path: string): void => {
    if (!isRecord(holder)) return;
    for (const key of Object.keys(holder)) {
      slots.set(childPath(path, key), { value: holder[key], replace: (token) => { holder[key] = token; } });
    }
  };
  const spec = isRecord(manifest.spec) ? manifest.spec : {};
  const dig = (root: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((v, k) => (isRecord(v) ? v[k] : undefined), root);
  const group = manifest.apiVersion.split('/')[0];
  if (manifest.kind === 'Secret' && !manifest.apiVersion.includes('/')) {
    everyEntry(manifest.data, 'data');
    everyEntry(manifest.stringData, 'stringData');
  }
  if (manifest.kind === 'SealedSecret') {
    everyEntry(spec.encryptedData, 'spec.encryptedData');
    everyEntry(dig(spec, 'template', 'data'), 'spec.template.data');
  }
  if (group === 'external-secrets.io') {
    everyEntry(dig(spec, 'target', 'template', 'data'), 'spec.target.template.data');
    everyEntry(dig(spec, 'externalSecretSpec', 'target', 'template', 'data'), 'spec.externalSecretSpec.target.template.data');
  }
  if (manifest.kind === 'HelmRelease') credentialKeys(spec.values, 'spec.values', slots);
  if (manifest.kind === 'Kustomization' && group.endsWith('fluxcd.io')) credentialKeys(dig(spec, 'postBuild', 'substitute'), 'spec.postBuild.substitute', slots);
  const annotations = dig(manifest, 'metadata', 'annotations');
  if (isRecord(annotations) && LAST_APPLIED in annotations) {
    slots.set(childPath('metadata.annotations', LAST_APPLIED), { value: annotations[LAST_APPLIED], replace: (token) => { annotations[LAST_APPLIED] = token; } });
  }
  credentialEnv(manifest, '', slots);
  return slots;
}

/** Scalars under credential-like keys, at any depth. */
function credentialKeys(value: unknown, path: string, slots: Map<string, Slot>): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => credentialKeys(item, indexPath(path, i), slots));
    return;
  }
  if (!isRecord(value)) return;
  for (const key of Object.keys(value)) {
    const child = value[key];
    const here = childPath(path, key);
    if (CREDENTIAL_NAME.test(key) && !isRecord(child) && !Array.isArray(child)) {
      slots.set(here, { value: child, replace: (token) => { value[key] = token; } });
    } else {
      credentialKeys(child, here, slots);
    }
  }
}

/** `env[].value` of variables with credential-like names, anywhere in the object. */
function credentialEnv(value: unknown, path: string, slots: Map<string, Slot>): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => credentialEnv(item, isRecord(item) && typeof item.name === 'string' ? itemPath(path, 'name', item.name) : indexPath(path, i), slots));
    return;
  }
  if (!isRecord(value)) return;
  for (const key of Object.keys(value)) {
    const child = value[key];
    if (key === 'env' && Array.isArray(child)) {
      for (const variable of child) {
        if (isRecord(variable) && typeof variable.name === 'string' && 'value' in variable && CREDENTIAL_NAME.test(variable.name)) {
          slots.set(`${itemPath(childPath(path, 'env'), 'name', variable.name)}.value`, { value: variable.value, replace: (token) => { variable.value = token; } });
        }
      }
    }
    credentialEnv(child, childPath(path, key), slots);
  }
}
