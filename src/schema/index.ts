export { SchemaValidator, defaultSchemaValidator, validateManifest, toIssues } from './validator.js';
export type { SchemaIssue, KindSchema, SchemaValidatorOptions } from './validator.js';
export { strictSchema, strictDefinitions, QUANTITY_PATTERN, CHECKED_FORMATS } from './strict.js';
export type { SchemaNode } from './strict.js';
