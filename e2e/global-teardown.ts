import * as fs from 'node:fs';

// Removes the run's temporary SQLite database (kept when E2E_KEEP_DB is set).
export default async function globalTeardown(): Promise<void> {
  const dbFile = process.env.E2E_DB_FILE;
  if (!dbFile || process.env.E2E_KEEP_DB) return;
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    fs.rmSync(dbFile + suffix, { force: true });
  }
}
