/** A short reason for a Node.js file-system error (`permission denied`), without the errno prefix or path. */
export function fsErrorReason(error: unknown): string {
  const { code, message, path } = error as NodeJS.ErrnoException;
  // a directory entry whose name is not valid UTF-8 reaches JavaScript with U+FFFD in place of the
  // bad bytes, and no file has that name
  if (code === 'ENOENT' && typeof path === 'string' && path.includes('\uFFFD')) return NOT_UTF8_NAME;
  return (code !== undefined ? REASONS[code] : undefined) ?? String(message).replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
}

/** The reason given for a file whose name is not valid UTF-8 (it cannot be opened by its name here). */
export const NOT_UTF8_NAME = 'the file name is not valid UTF-8 (shown with \uFFFD in place of the bad bytes), so it cannot be opened by name: rename the file';

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
