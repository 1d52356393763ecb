/** A short reason for a Node.js file-system error (`permission denied`), without the errno prefix or path. */
export function fsErrorReason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  return (code !== undefined ? REASONS[code] : undefined) ?? String(message).replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
}

const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a path component is not a directory',
  ELOOP: 'too many levels of symbolic links (a symbolic link loop)',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long',
  EEXIST: 'already exists',
};
