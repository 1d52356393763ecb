/**
 * Turns the permissive upstream schemas into strict ones, the way the API server (with
 * `kubectl --validate=strict`) treats a manifest:
 * - an object schema with `properties` and no `additionalProperties` rejects unknown fields,
 *   unless it carries `x-kubernetes-preserve-unknown-fields: true`;
 * - `null` is rejected everywhere except where a CRD says `nullable: true`;
 * - `x-kubernetes-int-or-string` (and the IntOrString / Quantity definitions) become
 *   `type: [integer|number, string]`, and Quantity strings must match the Kubernetes quantity
 *   grammar;
 * - `format` is kept only for the formats ajv-formats checks exactly as Kubernetes does;
 * - `description` and the other `x-kubernetes-*` keys are dropped (ajv's strict mode rejects
 *   unknown keywords; CEL `x-kubernetes-validations` are not evaluated).
 */

/** A JSON Schema node (draft-07 subset used by Kubernetes OpenAPI v2/v3). */
export type SchemaNode = { [key: string]: unknown };

/** Formats checked by ajv-formats with the same meaning as in Kubernetes. */
export const CHECKED_FORMATS = ['int32', 'int64', 'double', 'byte', 'date-time'] as const;

/** The Kubernetes resource.Quantity grammar (k8s.io/apimachinery/pkg/api/resource). */
export const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

const QUANTITY_DEFINITION = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING_DEFINITION = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

const KEPT_KEYWORDS = new Set([
  'type', 'properties', 'additionalProperties', 'items', 'required', 'enum', 'format', '$ref',
  'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength',
  'maxLength', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties',
  'multipleOf', 'anyOf', 'allOf', 'oneOf', 'not', 'default',
]);

interface StrictOptions {
  /** Rewrites a `$ref` value (used to point Kubernetes refs at the registered definitions). */
  readonly rewriteRef?: (ref: string) => string;
}

/** Returns a strict copy of `schema` (the input is not modified). */
export function strictSchema(schema: SchemaNode, options: StrictOptions = {}): SchemaNode {
  return convert(schema, options);
}

function convert(node: SchemaNode, options: StrictOptions): SchemaNode {
  if (node['x-kubernetes-int-or-string'] === true) return intOrString(node);
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    if (!KEPT_KEYWORDS.has(key)) continue;
    switch (key) {
      case 'properties':
        out.properties = Object.fromEntries(
          Object.entries(value as Record<string, SchemaNode>).map(([k, v]) => [k, convert(v, options)]),
        );
        break;
      case 'items':
      case 'not':
        out[key] = convert(value as SchemaNode, options);
        break;
      case 'additionalProperties':
        out[key] = typeof value === 'boolean' ? value : convert(value as SchemaNode, options);
        break;
      case 'anyOf':
      case 'allOf':
      case 'oneOf':
        out[key] = (value as SchemaNode[]).map((v) => convert(v, options));
        break;
      case 'format':
        if ((CHECKED_FORMATS as readonly string[]).includes(value as string)) out.format = value;
        break;
      case '$ref':
        out.$ref = options.rewriteRef ? options.rewriteRef(value as string) : value;
        break;
      default:
        out[key] = value;
    }
  }
  const preserveUnknown = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (out.properties !== undefined && out.additionalProperties === undefined && !preserveUnknown) {
    out.additionalProperties = false;
  }
  if (node.nullable === true) return allowNull(out);
  if (out.type === undefined && out.$ref === undefined && out.anyOf === undefined && out.oneOf === undefined) {
    // A schema without a type accepts anything; still reject null.
    out.not = { type: 'null' };
  }
  return out;
}

function intOrString(node: SchemaNode): SchemaNode {
  const stringBranch = ((node.anyOf as SchemaNode[] | undefined) ?? []).find((b) => b.type === 'string');
  const out: SchemaNode = { type: ['integer', 'string'] };
  if (typeof stringBranch?.pattern === 'string') out.pattern = stringBranch.pattern;
  if (typeof node.pattern === 'string') out.pattern = node.pattern;
  return node.nullable === true ? allowNull(out) : out;
}

function allowNull(schema: SchemaNode): SchemaNode {
  if (typeof schema.type === 'string') schema.type = [schema.type, 'null'];
  else if (Array.isArray(schema.type)) schema.type = [...schema.type, 'null'];
  else return { anyOf: [{ type: 'null' }, schema] };
  if (Array.isArray(schema.enum)) schema.enum = [...schema.enum, null];
  return schema;
}

/**
 * Strict copies of the Kubernetes definitions (`#/definitions/<name>` map): IntOrString and
 * Quantity become typed unions, everything else goes through {@link strictSchema}.
 */
export function strictDefinitions(
  definitions: Record<string, SchemaNode>,
  rewriteRef: (ref: string) => string,
): Record<string, SchemaNode> {
  const out: Record<string, SchemaNode> = {};
  for (const [name, definition] of Object.entries(definitions)) {
    if (name === INT_OR_STRING_DEFINITION) out[name] = { type: ['integer', 'string'] };
    else if (name === QUANTITY_DEFINITION) out[name] = { type: ['number', 'string'], pattern: QUANTITY_PATTERN };
    else out[name] = strictSchema(definition, { rewriteRef });
  }
  return out;
}
