import { posix } from 'node:path';

/**
 * Adds `directory` and every directory above it to `into`, stopping at the first one already
 * there (its ancestors were added with it): for `a/b`, `a/b` and `a` (a relative path stops
 * before '.'); for `/x/y`, `/x/y`, `/x` and `/`. Collects the directories holding a tree's files
 * with one walk per new directory, not one per file.
 */
export function addDirectoryAndAncestors(directory: string, into: Set<string>): void {
  for (let dir = directory; dir !== '.' && !into.has(dir); dir = posix.dirname(dir)) {
    into.add(dir);
    if (posix.dirname(dir) === dir) break;
  }
}
