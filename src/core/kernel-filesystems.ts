import { resolve } from 'node:path';

/**
 * Whether `path` lies under /proc or /sys, the kernel's own file systems. Nothing of this package
 * writes there: opening some of their files blocks, and Node's `mkdirSync(..., { recursive: true })`
 * under /proc never returns (it retries the ENOENT the kernel gives forever), so every command
 * refuses such an output path before touching it.
 */
export function isUnderKernelFilesystem(path: string): boolean {
  return /^\/(proc|sys)(\/|$)/.test(resolve(path));
}
