/**
 * Kubernetes resource quantities (the subset used for CPU, memory, storage and GPUs), parsed to
 * numbers for validation and capacity arithmetic.
 */
const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const QUANTITY = /^([+-]?[0-9]+(?:\.[0-9]*)?|[+-]?\.[0-9]+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?[0-9]+))?$/;

/** Whether `text` is a valid Kubernetes quantity string. */
export function isQuantity(text: string): boolean {
  return typeof text === 'string' && QUANTITY.test(text.trim());
}

/**
 * Parses a quantity to a number in base units (cores for CPU, bytes for memory).
 * @throws Error when the text is not a quantity.
 */
export function parseQuantity(text: string | number): number {
  if (typeof text === 'number') {
    if (!Number.isFinite(text)) throw new Error(`not a quantity: ${text}`);
    return text;
  }
  const match = QUANTITY.exec(String(text).trim());
  if (!match) throw new Error(`not a quantity: ${JSON.stringify(text)}`);
  const base = Number(match[1]);
  if (match[2]) return base * (BINARY[match[2]] ?? DECIMAL[match[2]]);
  if (match[3]) return base * 10 ** Number(match[3]);
  return base;
}

/** Parses a quantity, returning undefined instead of throwing. */
export function tryParseQuantity(text: unknown): number | undefined {
  if (typeof text !== 'string' && typeof text !== 'number') return undefined;
  try {
    return parseQuantity(text);
  } catch {
    return undefined;
  }
}
