#!/usr/bin/env node
// Bundles the `check` command for a fast start (run by `npm run build` after tsc and the schema
// validators): the ES modules `lambda-gitops check` loads from lib/ (lib/cli/main.js, the check
// command and everything they import statically, and the modules policies/*/policy.yaml name with
// `module:`) become one script, lib/cli/check-bundle.cjs, each module converted to a CommonJS
// function by TypeScript's own transpiler; then `check` runs once from the bundle on a small tree
// to write its V8 code cache, lib/cli/check-bundle.cache (see src/cli/check-bundle.ts: how the bin
// uses them, and why a stale bundle or cache is never used).
// Packages (js-yaml, ajv, ...) and the precompiled validators stay separate files, required as usual.
// Usage: node scripts/bundle-check-command.mjs
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsYaml from 'js-yaml';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
const BUNDLE_ROOTS = ['lib/cli/main.js', 'lib/cli/commands/check.js'];

/** `lib/...` modules the shipped policies name with `module:` (imported when the gate compiles). */
function policyModules() {
  const dir = join(root, 'policies');
  const modules = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('_') || entry.name.startsWith('.')) continue;
    const file = join(dir, entry.name, 'policy.yaml');
    let definition;
    try {
      definition = jsYaml.load(readFileSync(file, 'utf8'), { schema: jsYaml.CORE_SCHEMA });
    } catch (error) {
      if (error.code === 'ENOENT') continue;
      throw error;
    }
    if (typeof definition?.module === 'string') modules.push(posix.join('lib', definition.module.replace(/^\.\//, '').replace(/\.ts$/, '.js')));
  }
  return modules.sort();
}

/** `import.meta.url` becomes the module's own URL (a parameter); any other `import.meta` use is refused. */
const importMetaUrl = (context) => (file) => {
  const visit = (node) => {
    if (ts.isPropertyAccessExpression(node) && ts.isMetaProperty(node.expression) && node.expression.keywordToken === ts.SyntaxKind.ImportKeyword) {
      if (node.name.text !== 'url') throw new Error(`${file.fileName}: import.meta.${node.name.text} cannot be bundled`);
      return context.factory.createIdentifier('__moduleUrl');
    }
    if (ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword) throw new Error(`${file.fileName}: import.meta cannot be bundled`);
    // import(x) stays a promise of the module, from the bundle or from lib/ (see importFrom below)
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      return context.factory.createCallExpression(context.factory.createIdentifier('__bundleImport'), undefined, ts.visitNodes(node.arguments, visit));
    }
    return ts.visitEachChild(node, visit, context);
  };
  return ts.visitNode(file, visit);
};

/** The `require` calls the CommonJS transform writes for imports (synthesized nodes) go to the bundle's loader; the module's own `require` (createRequire) stays. */
const importRequires = (context) => (file) => {
  const visit = (node) => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require' && node.expression.pos === -1) {
      return context.factory.updateCallExpression(node, context.factory.createIdentifier('__bundleRequire'), undefined, ts.visitNodes(node.arguments, visit));
    }
    return ts.visitEachChild(node, visit, context);
  };
  return ts.visitNode(file, visit);
};

function toCommonJs(module, source) {
  const { outputText, diagnostics } = ts.transpileModule(source.replace(/^#!.*/, ''), {
    fileName: module,
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false, inlineSourceMap: false },
    transformers: { before: [importMetaUrl], after: [importRequires] },
  });
  if (diagnostics?.length) throw new Error(`${module}: ${ts.flattenDiagnosticMessageText(diagnostics[0].messageText, '\n')}`);
  return outputText.replace(/^\/\/# sourceMappingURL=.*$/m, '');
}

/** Every module reachable from `entries` by static imports and literal dynamic imports, in visiting order. */
function collect(entries) {
  const modules = new Map();
  const queue = [...entries];
  while (queue.length > 0) {
    const module = queue.shift();
    if (modules.has(module)) continue;
    const source = readFileSync(join(root, module), 'utf8');
    const code = toCommonJs(module, source);
    modules.set(module, { source, code });
    for (const [, specifier] of code.matchAll(/__bundle(?:Require|Import)\("(\.{1,2}\/[^"]+)"\)/g)) {
      const target = posix.join(posix.dirname(module), specifier);
      if (!target.startsWith('lib/') || !target.endsWith('.js')) throw new Error(`${module}: imports '${specifier}', which is not a lib/ JavaScript module`);
      queue.push(target);
    }
  }
  return modules;
}

function bundleText(modules) {
  const body = [
    '(function (packageRoot, nativeRequire, nativeImport) {',
    "'use strict';",
    "const path = nativeRequire('node:path');",
    "const { pathToFileURL } = nativeRequire('node:url');",
    `const sources = {${[...modules].map(([m, { source }]) => `\n${JSON.stringify(m)}: ${JSON.stringify(source)}`).join(',')}\n};`,
    'const factories = {',
    ...[...modules].map(([m, { code }]) => `${JSON.stringify(m)}: function (exports, module, __bundleRequire, __bundleImport, __moduleUrl) {\n${code}\n},`),
    '};',
    // js-yaml's CommonJS entry requires 25 files; its one-file build of the same code is one file
    "let jsYamlModule;",
    "function jsYaml() {",
    "  jsYamlModule ??= nativeRequire(path.join(path.dirname(nativeRequire.resolve('js-yaml/package.json')), 'dist/js-yaml.js'));",
    "  return jsYamlModule;",
    "}",
    'const loaded = new Map();',
    'function load(module) {',
    '  let record = loaded.get(module);',
    '  if (record) return record.exports;',
    '  record = { exports: {} };',
    '  loaded.set(module, record);',
    '  const file = path.join(packageRoot, module);',
    '  factories[module].call(undefined, record.exports, record, requireFrom(module), importFrom(module), pathToFileURL(file).href);',
    '  return record.exports;',
    '}',
    'function requireFrom(module) {',
    '  return (specifier) => {',
    "    if (specifier === 'js-yaml') return jsYaml();",
    "    if (!specifier.startsWith('.')) return nativeRequire(specifier);",
    '    const target = path.posix.join(path.posix.dirname(module), specifier);',
    "    if (!(target in factories)) throw new Error(`${module}: '${specifier}' is not in the check bundle`);",
    '    return load(target);',
    '  };',
    '}',
    // a module not in the bundle (another command, a policy module added after the build) is imported from lib/ as usual
    'function importFrom(module) {',
    '  return (specifier) => {',
    "    if (typeof specifier !== 'string' || !specifier.startsWith('.')) return nativeImport(specifier);",
    '    const target = path.posix.join(path.posix.dirname(module), specifier);',
    '    if (target in factories) return Promise.resolve().then(() => load(target));',
    '    return nativeImport(pathToFileURL(path.join(packageRoot, target)).href);',
    '  };',
    '}',
    'return { sources, load };',
    '})',
    '',
  ].join('\n');
  const id = createHash('sha256').update(body).digest('hex');
  return `// lambda-gitops check bundle ${id}\n${body}`;
}

const modules = collect([...BUNDLE_ROOTS, ...policyModules()]);
const text = bundleText(modules);
const { CHECK_BUNDLE_FILE, CHECK_BUNDLE_CACHE_FILE, CHECK_BUNDLE_ID_PREFIX, writeCheckBundleCodeCache } = await import('../lib/cli/check-bundle.js');
if (!text.startsWith(CHECK_BUNDLE_ID_PREFIX)) throw new Error('bundle header and lib/cli/check-bundle.js disagree');
rmSync(CHECK_BUNDLE_CACHE_FILE, { force: true });
writeFileSync(CHECK_BUNDLE_FILE, text);

// the code cache: functions compiled by one check of a small tree (start-up's path)
const sample = mkdtempSync(join(tmpdir(), 'lambda-gitops-bundle-'));
try {
  writeFileSync(join(sample, 'configmap.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sample\n  namespace: default\ndata:\n  key: value\n');
  const cacheBytes = await writeCheckBundleCodeCache([sample]);
  console.error(`lib/cli/check-bundle.cjs: ${modules.size} modules, ${(text.length / 1024).toFixed(0)} KiB; code cache ${(cacheBytes / 1024).toFixed(0)} KiB (node ${process.version})`);
} finally {
  rmSync(sample, { recursive: true, force: true });
}
