import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isUnderKernelFilesystem } from '../../core/kernel-filesystems.js';
import { UsageError } from '../main.js';
import { parseOptions } from '../parse-options.js';

export const summary = 'write a new platform repository (package.json, tsconfig, cdk8s.yaml, src/main.ts, workflows)';

const HELP = `Usage: lambda-gitops init DIR [--package SPEC] [--force]

Writes a repository for a platform team into DIR: package.json (ES module), tsconfig.json,
cdk8s.yaml (the app and the policy gate plugin), src/main.ts exporting buildApp(app),
test/app.test.mjs, .github/workflows (ci, pr, pr-comment: check, diff, comment) and .gitignore.
Then: cd DIR && npm install && npm run synth && npm test.

Options:
  --package SPEC  how package.json depends on lambda-gitops (default: ^<this version>; e.g. a
                  tarball path from 'npm pack', or github:<org>/lambda-gitops)
  --force         write into a DIR that is not empty (files of the template are overwritten)
`;

const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TEMPLATE = join(PACKAGE_ROOT, 'templates', 'consumer');

/** Template file names that npm would not pack as they are. */
const RENAMES: Record<string, string> = { 'gitignore': '.gitignore', 'github': '.github', 'package.json.template': 'package.json' };

function templateFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) templateFiles(path, out);
    else out.push(path);
  }
  return out.sort();
}

function targetPath(templateFile: string): string {
  return relative(TEMPLATE, templateFile).split(/[\\/]/).map((part) => RENAMES[part] ?? part).join('/');
}

/** A package name npm accepts, from a directory name. */
function packageName(dir: string): string {
  const name = basename(resolve(dir)).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '');
  return name || 'platform';
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions({
    args, allowPositionals: true,
    options: { package: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('expected one directory (lambda-gitops init DIR)');
  const dir = resolve(positionals[0]);
  if (isUnderKernelFilesystem(dir)) throw new UsageError(`${positionals[0]}: cannot write a repository under /proc or /sys (kernel files)`);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`${positionals[0]}: exists and is not a directory`);
  if (existsSync(dir) && readdirSync(dir).length > 0 && !values.force) {
    throw new UsageError(`${positionals[0]}: directory is not empty (pass --force to write the template into it)`);
  }
  const own = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    version: string; devDependencies?: Record<string, string>; peerDependencies?: Record<string, string>;
  };
  const dev = own.devDependencies ?? {};
  const caret = (v: string | undefined, fallback: string) => (v && /^\d/.test(v) ? `^${v}` : v ?? fallback);
  const values_: Record<string, string> = {
    name: packageName(dir),
    version: own.version,
    lambdaGitops: values.package ? (existsSync(values.package) ? `file:${resolve(values.package)}` : values.package) : `^${own.version}`,
    cdk8s: caret(dev.cdk8s, own.peerDependencies?.cdk8s ?? '^2'),
    constructs: caret(dev.constructs, own.peerDependencies?.constructs ?? '^10'),
    cdk8sCli: dev['cdk8s-cli'] ?? 'latest',
    typescript: dev.typescript ?? 'latest',
    typesNode: caret(dev['@types/node'], '^20'),
  };
  const written: string[] = [];
  for (const file of templateFiles(TEMPLATE)) {
    const target = targetPath(file);
    const text = readFileSync(file, 'utf8').replace(/\{\{(\w+)\}\}/g, (match, key: string) => values_[key] ?? match);
    mkdirSync(dirname(join(dir, target)), { recursive: true });
    writeFileSync(join(dir, target), text);
    written.push(target);
  }
  const shown = relative(process.cwd(), dir) || '.';
  process.stdout.write(`wrote ${written.length} files into ${shown}/:\n${written.map((f) => `  ${f}`).join('\n')}\n`
    + `next: cd ${shown} && npm install && npm run synth && npm test\n`);
  return 0;
}
