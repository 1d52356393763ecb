#!/usr/bin/env node
/**
 * The package's `lambda-gitops` command. `check` runs from the one-file bundle of its modules
 * (see ./check-bundle.ts) when `npm run build` wrote one that is current for lib/; everything else,
 * and `check` without a current bundle or with `--policies` (a policy directory may name modules
 * the bundle does not hold), runs lib/cli/main.js as ES modules. Output and exit codes are the same
 * either way. This module imports only Node's own modules, so the bundled path loads nothing else.
 */
import { bundleServes, loadCheckBundle, type BundledMain } from './check-bundle.js';

const argv = process.argv.slice(2);
const bundle = bundleServes(argv) ? loadCheckBundle() : undefined;
const entry: BundledMain = typeof bundle === 'object' ? bundle.main : await import('./main.js');
entry.runEntryPoint(argv);
