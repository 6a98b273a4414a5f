import { fstatSync } from 'node:fs';

/** Whether the file open at `fd` has lost its last name (deleted, or its directory removed); false when unknown. */
export function segmentUnlinked(fd: number): boolean {
  try {
    return fstatSync(fd).nlink === 0;
  } catch {
    return false;
  }
}
