import { childPath, indexPath, isRecord, itemPath } from '../diff/paths.js';
import { isCredentialName, isDescriptorName } from './credential-names.js';
import { secretsInText } from './secret-text.js';

/**
 * The masking policy's positions: where a Kubernetes object holds secret values. A value found
 * here never reaches any output (see docs/pr-review.md, "Masking rules"):
 *
 * 1. Secrets (`kind` is `Secret` in any letter case, any apiVersion): every entry of `data` and
 *    `stringData`, or the whole field when it is not a mapping (a scalar, a list).
 * 2. SealedSecrets: `spec.encryptedData`, `spec.template.data`, `spec.template.stringData`.
 * 3. External Secrets Operator (`*.external-secrets.io`): in every `template` mapping (target
 *    templates of ExternalSecret, ClusterExternalSecret, PushSecret) the `data` entries and
 *    `templateFrom[].literal`; a `Fake` generator's `spec.data`; a store's
 *    `spec.provider.fake.data[].value` and `.valueMap`.
 * 4. The `kubectl.kubernetes.io/last-applied-configuration` annotation, in any `annotations`
 *    mapping at any depth (pod templates, List items).
 * 5. Credential keys, in every object except ExternalSecret-family specs (whose `secretKey`
 *    fields are key names): a value is secret when the nearest enclosing mapping key that is a
 *    credential name or a descriptor name (see credential-names.ts) is a credential name. So
 *    `password: {value: x}`, `apiKeys: [a, b]`, ConfigMap `data.password`, HelmRelease values at
 *    any depth and Flux `postBuild.substitute` entries are hidden, while
 *    `password: {secretKeyRef: {name, key}}` and `DB_PASSWORD_FILE` are not. Booleans and nulls
 *    are never secret. Keys of `labels` and `annotations` are not credential keys.
 * 6. Name/value lists: the `value` of any list item `{name|key: N, value: V}` whose N is a
 *    credential name (`env`, `extraEnvVars`, `httpHeaders`, chart-specific lists alike).
 * 7. Command lines: in a list of strings, the item after a flag with a credential name
 *    (`["--password", "x"]`).
 * 8. Inside any other string: the credential shapes of secret-text.ts (URL passwords,
 *    `--token=x`, `PASSWORD=x` / `password: x` in embedded files, token formats, PEM private keys).
 * 9. `kind: List` (and any `*List` kind with `items`): every item as an object of its own.
 */

/** A step of a location inside an object: a mapping key or a list index. */
export type PathSegment = string | number;

/** One secret value and where it is. */
export interface SecretSlot {
  /** Location of the value (for a part: of the string that contains it). */
  readonly segments: readonly PathSegment[];
  /**
   * The location as a diff path (`spec.template.spec.containers[name=api].env[name=X].value`),
   * with `#N` appended for the N-th credential found inside a string; pairs base and head slots.
   */
  readonly id: string;
  /** The hidden value (any shape), or for a part the credential substring. */
  readonly value: unknown;
  /** Whether `value` is a substring of the string at `segments` rather than the whole value. */
  readonly part: boolean;
}

/** The annotation kubectl writes with a copy of the whole object. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

const ESO_GROUP = /(^|\.)external-secrets\.io$/;
const ESO_NAME_KEYED_KINDS = new Set(['ExternalSecret', 'ClusterExternalSecret', 'PushSecret']);
const FLAG = /^--?([A-Za-z][\w.-]*)$/;

/** The start of a walk: where the walked value is. */
interface Root {
  readonly segments: readonly PathSegment[];
  readonly id: string;
}

/**
 * A location in the walk, as a chain to its root; segments and diff path are built only for a
 * location that holds a secret (building them for every node made the walk allocation-bound).
 */
interface Loc {
  readonly parent: Loc | Root;
  readonly segment: PathSegment;
  /** For a list item with a string `name`: the diff path shows `[name=...]` instead of the index. */
  readonly itemName?: string;
}

function isRoot(at: Loc | Root): at is Root {
  return 'id' in at;
}

function materialize(at: Loc | Root): Root {
  if (isRoot(at)) return at;
  const parent = materialize(at.parent);
  const id = typeof at.segment === 'number'
    ? at.itemName !== undefined ? itemPath(parent.id, 'name', at.itemName) : indexPath(parent.id, at.segment)
    : childPath(parent.id, at.segment);
  return { segments: [...parent.segments, at.segment], id };
}

class SlotCollector {
  readonly slots: SecretSlot[] = [];
  private readonly covered = new Set<string>();

  hide(value: unknown, segments: readonly PathSegment[], id: string): void {
    if (value === undefined || value === null) return;
    this.slots.push({ segments, id, value, part: false });
    this.covered.add(pointerOf(segments));
  }

  /** Each entry of a mapping, or the whole value when it is not a mapping. */
  hideEntries(value: unknown, segments: readonly PathSegment[], id: string): void {
    if (isRecord(value)) for (const key of Object.keys(value)) this.hide(value[key], [...segments, key], childPath(id, key));
    else this.hide(value, segments, id);
  }

  isCovered(at: Loc): boolean {
    return this.covered.size > 0 && this.covered.has(pointerOf(materialize(at).segments));
  }
}

function dig(root: unknown, ...keys: string[]): unknown {
  return keys.reduce<unknown>((value, key) => (isRecord(value) ? value[key] : undefined), root);
}

function groupOf(apiVersion: unknown): string {
  return typeof apiVersion === 'string' && apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

/** Every secret value of a Kubernetes object (or of any YAML value), in document order. */
export function secretSlots(object: unknown): SecretSlot[] {
  const collector = new SlotCollector();
  walkObject(object, [], '', collector);
  return collector.slots;
}

function walkObject(object: unknown, segments: readonly PathSegment[], id: string, collector: SlotCollector): void {
  if (!isRecord(object)) {
    walk(object, { segments, id }, false, true, collector);
    return;
  }
  const kind = typeof object.kind === 'string' ? object.kind : '';
  const group = groupOf(object.apiVersion);
  const at = (...keys: string[]) => ({ segments: [...segments, ...keys], id: keys.reduce(childPath, id) });
  const hideEntriesAt = (...keys: string[]) => {
    const { segments: s, id: i } = at(...keys);
    collector.hideEntries(dig(object, ...keys), s, i);
  };
  if (/^secret$/i.test(kind)) {
    hideEntriesAt('data');
    hideEntriesAt('stringData');
  }
  if (kind === 'SealedSecret') {
    hideEntriesAt('spec', 'encryptedData');
    hideEntriesAt('spec', 'template', 'data');
    hideEntriesAt('spec', 'template', 'stringData');
  }
  const eso = ESO_GROUP.test(group);
  if (eso) {
    if (kind === 'Fake') hideEntriesAt('spec', 'data');
    const fake = dig(object, 'spec', 'provider', 'fake', 'data');
    if (Array.isArray(fake)) {
      fake.forEach((item, i) => {
        const base = at('spec', 'provider', 'fake', 'data');
        const itemSegments = [...base.segments, i];
        const itemId = indexPath(base.id, i);
        if (!isRecord(item)) collector.hide(item, itemSegments, itemId);
        else for (const key of ['value', 'valueMap']) collector.hide(item[key], [...itemSegments, key], childPath(itemId, key));
      });
    } else {
      hideEntriesAt('spec', 'provider', 'fake', 'data');
    }
    esoTemplates(object.spec, [...segments, 'spec'], childPath(id, 'spec'), collector);
  }
  if (/List$/.test(kind) && Array.isArray(object.items)) {
    object.items.forEach((item, i) => {
      const itemId = isRecord(item) && isRecord(item.metadata) && typeof item.metadata.name === 'string'
        ? itemPath(childPath(id, 'items'), 'name', item.metadata.name) : indexPath(childPath(id, 'items'), i);
      walkObject(item, [...segments, 'items', i], itemId, collector);
    });
  }
  const keyRule = !(eso && ESO_NAME_KEYED_KINDS.has(kind));
  const listItems = /List$/.test(kind) && Array.isArray(object.items);
  walkEntries(object, { segments, id }, false, keyRule, collector, (key) => key === 'items' && listItems);
}

/** `template.data` entries and `template.templateFrom[].literal` anywhere in an ESO spec. */
function esoTemplates(value: unknown, segments: readonly PathSegment[], id: string, collector: SlotCollector): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => esoTemplates(item, [...segments, i], indexPath(id, i), collector));
    return;
  }
  if (!isRecord(value)) return;
  for (const key of Object.keys(value)) {
    const child = value[key];
    const childSegments = [...segments, key];
    const childId = childPath(id, key);
    if (key === 'template' && isRecord(child)) {
      collector.hideEntries(child.data, [...childSegments, 'data'], childPath(childId, 'data'));
      if (Array.isArray(child.templateFrom)) {
        child.templateFrom.forEach((entry, i) => {
          if (isRecord(entry)) collector.hide(entry.literal, [...childSegments, 'templateFrom', i, 'literal'], childPath(indexPath(childPath(childId, 'templateFrom'), i), 'literal'));
        });
      }
    }
    esoTemplates(child, childSegments, childId, collector);
  }
}

/**
 * The generic rules (4 to 8) over any value. `credential`: inside a credential key's value.
 * `keyRule`: whether mapping keys can open a credential context here.
 */
function walk(value: unknown, at: Loc | Root, credential: boolean, keyRule: boolean, collector: SlotCollector): void {
  if (value === null || value === undefined || typeof value === 'boolean') return;
  if (!isRoot(at) && collector.isCovered(at)) return;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') {
    if (credential) {
      const { segments, id } = materialize(at);
      collector.hide(value, segments, id);
      return;
    }
    if (typeof value === 'string' && value.length >= 4) {
      const secrets = secretsInText(value);
      if (secrets.length === 0) return;
      const { segments, id } = materialize(at);
      secrets.forEach((secret, n) => collector.slots.push({ segments, id: `${id}#${n}`, value: secret, part: true }));
    }
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) continue; // a hole, as forEach skips it
      const item: unknown = value[i];
      const previous: unknown = value[i - 1];
      const afterCredentialFlag = i > 0 && typeof previous === 'string' && FLAG.test(previous) && isCredentialName(FLAG.exec(previous)![1])
        && (typeof item === 'number' || (typeof item === 'string' && !item.startsWith('-')));
      const itemAt: Loc = isRecord(item) && typeof item.name === 'string' ? { parent: at, segment: i, itemName: item.name } : { parent: at, segment: i };
      walk(item, itemAt, credential || afterCredentialFlag, keyRule, collector);
    }
    return;
  }
  if (isRecord(value)) walkEntries(value, at, credential, keyRule, collector);
}

/** The entries of a mapping: credential keys, name/value pairs, annotations and labels. */
function walkEntries(value: Record<string, unknown>, at: Loc | Root, credential: boolean, keyRule: boolean, collector: SlotCollector, skip?: (key: string) => boolean): void {
  const pairName = typeof value.name === 'string' ? value.name : typeof value.key === 'string' ? value.key : undefined;
  const credentialPair = pairName !== undefined && 'value' in value && isCredentialName(pairName);
  for (const key of Object.keys(value)) {
    if (skip?.(key)) continue;
    const child = value[key];
    const childAt: Loc = { parent: at, segment: key };
    if ((key === 'annotations' || key === 'labels') && isRecord(child)) {
      for (const name of Object.keys(child)) {
        const entryAt: Loc = { parent: childAt, segment: name };
        if (key === 'annotations' && name === LAST_APPLIED_ANNOTATION) {
          const { segments, id } = materialize(entryAt);
          collector.hide(child[name], segments, id);
        } else {
          walk(child[name], entryAt, credential, false, collector);
        }
      }
      continue;
    }
    let childCredential = credential;
    if (credentialPair && key === 'value') childCredential = true;
    else if (keyRule && isCredentialName(key)) childCredential = true;
    else if (keyRule && credential && isDescriptorName(key)) childCredential = false;
    walk(child, childAt, childCredential, keyRule, collector);
  }
}

function pointerOf(segments: readonly PathSegment[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** The JSON pointer (RFC 6901) of a slot's location. */
export function slotPointer(slot: SecretSlot): string {
  return pointerOf(slot.segments);
}

/**
 * Whether a JSON pointer into `object` is at or below a secret position, so a message about it
 * must not quote its value.
 */
export function isSecretPointer(slots: readonly SecretSlot[], pointer: string): boolean {
  return slots.some((slot) => {
    const at = slotPointer(slot);
    return pointer === at || pointer.startsWith(`${at}/`);
  });
}
