import { IConstruct } from 'constructs';

/**
 * An invalid construct property. The message always names the construct path, the property,
 * the offending value and what is allowed, so a failed synth tells the author exactly what to fix.
 */
export class InvalidPropError extends Error {
  /** Construct path of the construct whose props are invalid. */
  public readonly constructPath: string;
  /** Name of the offending property (dotted for nested props). */
  public readonly prop: string;

  constructor(scope: IConstruct | string, prop: string, value: unknown, allowed: string) {
    const path = typeof scope === 'string' ? scope : scope.node.path;
    super(`${path}: invalid '${prop}' (${describe(value)}): ${allowed}`);
    this.name = 'InvalidPropError';
    this.constructPath = path;
    this.prop = prop;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}

/** Throws {@link InvalidPropError} unless `condition` holds. */
export function requireProp(condition: boolean, scope: IConstruct | string, prop: string, value: unknown, allowed: string): void {
  if (!condition) throw new InvalidPropError(scope, prop, value, allowed);
}

/** The construct path a child `id` of `scope` will get, for errors raised before `super()`. */
export function pathOfChild(scope: IConstruct, id: string): string {
  return scope.node.path ? `${scope.node.path}/${id}` : id;
}
