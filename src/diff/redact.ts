import { isRecord } from './paths.js';
import { Manifest } from './model.js';
import { PathSegment, SecretSlot, secretSlots } from '../masking/secret-positions.js';

/**
 * Secret masking in the diff. Every value at a position of the masking policy
 * (src/masking/secret-positions.ts, rules in docs/pr-review.md) is replaced before anything is
 * compared or printed; a diff shows only that a key was added, removed or changed, never the
 * value, its length or a hash. A credential inside a longer string (a URL password, `--token=x`)
 * is replaced within the string.
 */

/** Shown for a hidden value that is the same on both sides or exists on one side only. */
export const HIDDEN = '(hidden)';
/** Shown for a hidden value before a change. */
export const HIDDEN_BEFORE = '(hidden, before)';
/** Shown for a hidden value after a change. */
export const HIDDEN_AFTER = '(hidden, after)';

/**
 * Copies of a base/head pair of one object with every sensitive value replaced by a token:
 * equal values become {@link HIDDEN} on both sides, different ones {@link HIDDEN_BEFORE} and
 * {@link HIDDEN_AFTER}, one-sided ones {@link HIDDEN}. Objects without sensitive values are
 * returned as they are (not copied).
 */
export function maskPair(base: Manifest | undefined, head: Manifest | undefined): [Manifest | undefined, Manifest | undefined] {
  const baseSlots = base ? slotsById(base) : new Map<string, SecretSlot>();
  const headSlots = head ? slotsById(head) : new Map<string, SecretSlot>();
  const maskedBase = base && baseSlots.size > 0 ? structuredClone(base) : base;
  const maskedHead = head && headSlots.size > 0 ? structuredClone(head) : head;
  const tokens = (own: Map<string, SecretSlot>, other: Map<string, SecretSlot>, changed: string) => [...own.values()].map((slot) => {
    const counterpart = other.get(slot.id);
    return { slot, token: counterpart === undefined || sameValue(slot.value, counterpart.value) ? HIDDEN : changed };
  });
  if (maskedBase !== base && maskedBase) replaceAll(maskedBase, tokens(baseSlots, headSlots, HIDDEN_BEFORE));
  if (maskedHead !== head && maskedHead) replaceAll(maskedHead, tokens(headSlots, baseSlots, HIDDEN_AFTER));
  return [maskedBase, maskedHead];
}

function slotsById(manifest: Manifest): Map<string, SecretSlot> {
  return new Map(secretSlots(manifest).map((slot) => [slot.id, slot]));
}

/** Whole values first, then parts of strings (a part inside an already hidden value is gone with it). */
function replaceAll(copy: Manifest, replacements: { slot: SecretSlot; token: string }[]): void {
  const ordered = [...replacements.filter((r) => !r.slot.part), ...replacements.filter((r) => r.slot.part)];
  for (const { slot, token } of ordered) {
    const holder = parentOf(copy, slot.segments);
    if (!holder) continue;
    const key = slot.segments[slot.segments.length - 1];
    const current = (holder as Record<string | number, unknown>)[key];
    if (!slot.part) (holder as Record<string | number, unknown>)[key] = token;
    else if (typeof current === 'string') (holder as Record<string | number, unknown>)[key] = current.split(String(slot.value)).join(token);
  }
}

function parentOf(root: unknown, segments: readonly PathSegment[]): object | undefined {
  let node = root;
  for (const segment of segments.slice(0, -1)) {
    if (Array.isArray(node) && typeof segment === 'number') node = node[segment];
    else if (isRecord(node) && typeof segment === 'string') node = node[segment];
    else return undefined;
  }
  return typeof node === 'object' && node !== null ? node : undefined;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Whether a manifest holds any value {@link maskPair} would hide. */
export function hasSensitiveValues(manifest: Manifest): boolean {
  return secretSlots(manifest).length > 0;
}
