/**
 * An index of pod groups by label, so that finding the groups a pod (anti-)affinity term selects
 * costs what the term's narrowest requirement selects instead of a pass over every group.
 */
import type { LabelSelector } from '../policy/selectors.js';
import type { PodGroup } from './workloads.js';

const built = new WeakMap<readonly PodGroup[], GroupLabelIndex>();

/** Pod groups indexed by `key=value` and by key; lookups return candidates, never a final verdict. */
export class GroupLabelIndex {
  private readonly byLabel = new Map<string, PodGroup[]>();
  private readonly byKey = new Map<string, PodGroup[]>();

  /** The index of a list of groups, built once per list (the list must not change afterwards). */
  static of(groups: readonly PodGroup[]): GroupLabelIndex {
    let index = built.get(groups);
    if (!index) built.set(groups, (index = new GroupLabelIndex(groups)));
    return index;
  }

  constructor(private readonly groups: readonly PodGroup[]) {
    for (const group of groups) {
      for (const [key, value] of Object.entries(group.labels)) {
        append(this.byLabel, `${key}\u0000${value}`, group);
        append(this.byKey, key, group);
      }
    }
  }

  /**
   * A superset of the groups `selector` matches (each at most once): the groups carrying its
   * narrowest positive requirement (a matchLabels pair, an `In` list or an `Exists` key), or every
   * group when it has none. Callers still test each candidate against the whole selector.
   */
  candidates(selector: LabelSelector): readonly PodGroup[] {
    let narrowest: readonly PodGroup[] = this.groups;
    const consider = (list: readonly PodGroup[]): void => {
      if (list.length < narrowest.length) narrowest = list;
    };
    for (const [key, value] of Object.entries(selector.matchLabels ?? {})) consider(this.byLabel.get(`${key}\u0000${value}`) ?? []);
    for (const requirement of selector.matchExpressions ?? []) {
      if (requirement.operator === 'Exists') consider(this.byKey.get(requirement.key) ?? []);
      if (requirement.operator === 'In') {
        // a group has one value per key, so the lists of distinct values are disjoint
        const values = [...new Set(requirement.values ?? [])];
        consider(values.flatMap((v) => this.byLabel.get(`${requirement.key}\u0000${v}`) ?? []));
      }
    }
    return narrowest;
  }
}

function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
