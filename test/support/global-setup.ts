import { buildPgliteImages } from './pglite-images';

/** Runs once before the workers start: the PGlite images every in-memory test database starts from. */
export default async function globalSetup(): Promise<void> {
  await buildPgliteImages();
}
