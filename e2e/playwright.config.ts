import { defineConfig } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// Playwright evaluates this file in the runner process and again in every
// worker process. The database path must be chosen once per run, so the
// runner stores it in the environment, which the workers inherit.
const dbFromEnv = process.env.E2E_DB_FILE;
const dbFile = dbFromEnv || path.join(os.tmpdir(), `relais-e2e-${process.pid}-${Date.now()}.db`);
if (!dbFromEnv) {
  process.env.E2E_DB_FILE = dbFile;
  // Start from an empty database: remove any leftover file (and SQLite's side files).
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    fs.rmSync(dbFile + suffix, { force: true });
  }
}

const targetDir = process.env.CARGO_TARGET_DIR || path.resolve(__dirname, '..', 'target');
const relaisBin = process.env.RELAIS_BIN || path.join(targetDir, 'debug', 'relais');
const port = Number(process.env.E2E_PORT || 18080);
const baseURL = `http://127.0.0.1:${port}`;

/** Quote one word for the POSIX shell that runs the webServer command. */
const sh = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export default defineConfig({
  testDir: './tests',
  globalTeardown: './global-teardown.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    headless: true,
    locale: 'fr-FR',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
  webServer: {
    command: [
      sh(relaisBin),
      'serve',
      '--demo',
      '--listen',
      `127.0.0.1:${port}`,
      '--database',
      sh(`sqlite://${dbFile}`),
    ].join(' '),
    url: `${baseURL}/healthz`,
    // The whole suite signs in from one address, far more often than the
    // per-address limit allows; that limit has its own Rust tests.
    env: { ...process.env, RELAIS_LOGIN_ATTEMPTS_PER_IP: '10000' } as Record<string, string>,
    reuseExistingServer: false,
    timeout: 120_000,
    // Server logs: stderr always shown; stdout too when E2E_SERVER_LOG is set.
    stdout: process.env.E2E_SERVER_LOG ? 'pipe' : 'ignore',
    stderr: 'pipe',
  },
});
