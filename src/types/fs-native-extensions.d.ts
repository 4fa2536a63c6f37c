// The part of fs-native-extensions (holepunchto; no bundled types) this project uses.
declare module 'fs-native-extensions' {
  /** An exclusive lock on the open file `fd` (Linux: open-file-description lock); false when another holder has it. */
  export function tryLock(fd: number, options?: { shared?: boolean }): boolean;
  export function unlock(fd: number): void;
}
