import { isRecord } from './paths.js';

/** One policy finding for the head tree, as shown in the PR comment and the check run. */
export interface PolicyFinding {
  /** `error` fails the gate; `warning` and `note` inform. */
  readonly level: 'error' | 'warning' | 'note';
  /** Rule id, e.g. `require-limits`. */
  readonly rule: string;
  readonly message: string;
  /** The object, e.g. `Deployment apps/api`, when known. */
  readonly resource?: string;
  /** Repository-relative file of the object, when known. */
  readonly file?: string;
  /** 1-based line in that file, when known. */
  readonly line?: number;
}

/** A capacity figure before and after the change (GPUs requested, utilization, monthly cost...). */
export interface CapacityDeltaRow {
  readonly label: string;
  readonly before: string;
  readonly after: string;
}

/**
 * The capacity plan delta for the PR comment (base vs head). The `plan` command's output is
 * converted into this by `planDeltaFrom` callers; the renderer only needs the rows.
 */
export interface CapacityDeltaTable {
  readonly rows: readonly CapacityDeltaRow[];
  /** A one-line verdict, e.g. "fits: 6 of 8 GPUs used". */
  readonly note?: string;
}

/** A SARIF file could not be read as policy findings. */
export class SarifFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SarifFormatError';
  }
}

/**
 * Policy findings from a SARIF 2.1.0 log (what `lambda-gitops check --format sarif` writes and
 * code scanning reads): every result of every run, with the first physical location and the
 * first logical location (the object) when present.
 */
export function findingsFromSarif(sarif: unknown, source = 'SARIF'): PolicyFinding[] {
  if (!isRecord(sarif) || !Array.isArray(sarif.runs)) throw new SarifFormatError(`${source}: not a SARIF log (no 'runs' array)`);
  const findings: PolicyFinding[] = [];
  sarif.runs.forEach((run, r) => {
    if (!isRecord(run)) throw new SarifFormatError(`${source}: runs[${r}] is not an object`);
    const results = run.results ?? [];
    if (!Array.isArray(results)) throw new SarifFormatError(`${source}: runs[${r}].results is not a list`);
    results.forEach((result, i) => {
      const where = `${source}: runs[${r}].results[${i}]`;
      if (!isRecord(result)) throw new SarifFormatError(`${where} is not an object`);
      const message = isRecord(result.message) ? result.message.text : undefined;
      if (typeof message !== 'string') throw new SarifFormatError(`${where}.message.text is missing`);
      const rule = typeof result.ruleId === 'string' ? result.ruleId : 'unknown-rule';
      const level = result.level === 'error' || result.level === 'note' ? result.level : result.level === 'none' ? 'note' : 'warning';
      const location = Array.isArray(result.locations) && isRecord(result.locations[0]) ? result.locations[0] : {};
      const physical = isRecord(location.physicalLocation) ? location.physicalLocation : {};
      const uri = isRecord(physical.artifactLocation) ? physical.artifactLocation.uri : undefined;
      const line = isRecord(physical.region) ? physical.region.startLine : undefined;
      const logical = Array.isArray(location.logicalLocations) && isRecord(location.logicalLocations[0]) ? location.logicalLocations[0] : {};
      const name = logical.fullyQualifiedName ?? logical.name;
      findings.push({
        level,
        rule,
        message,
        ...(typeof name === 'string' ? { resource: name } : {}),
        ...(typeof uri === 'string' ? { file: decodeUri(uri) } : {}),
        ...(typeof line === 'number' && Number.isInteger(line) && line > 0 ? { line } : {}),
      });
    });
  });
  return findings;
}

/** SARIF artifact URIs are URI-encoded (`dist/apps/a%20b.yaml`); annotations need the plain path. */
function decodeUri(uri: string): string {
  try {
    return decodeURI(uri);
  } catch {
    return uri;
  }
}
