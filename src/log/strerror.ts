// glibc's strerror() texts, as Perl's $! prints them in ldirectord's messages (libuv's own
// texts differ in case and wording).
import util from 'node:util';

const TEXTS: Record<string, string> = {
  ENOENT: 'No such file or directory', EACCES: 'Permission denied', EPERM: 'Operation not permitted',
  EISDIR: 'Is a directory', ENOTDIR: 'Not a directory', EROFS: 'Read-only file system',
  ENOSPC: 'No space left on device', EDQUOT: 'Disk quota exceeded', EFBIG: 'File too large',
  EIO: 'Input/output error', ELOOP: 'Too many levels of symbolic links', ENAMETOOLONG: 'File name too long',
};

/** The text for an errno code name ("ENOENT"), else the code itself. */
export function strerrorOf(code: string): string {
  return TEXTS[code] ?? code;
}

/** The text for a failed system call's error. */
export function strerror(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code !== undefined && TEXTS[e.code] !== undefined) return TEXTS[e.code]!;
  if (typeof e.errno === 'number') {
    const text = util.getSystemErrorMap().get(e.errno)?.[1];
    if (text !== undefined) return text.charAt(0).toUpperCase() + text.slice(1);
  }
  return e.message ?? String(err);
}
