import { test, expect } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEMO, DEMO_PASSWORD, checkA11y, submitLogin } from './helpers';

// A server of its own with a 12-second idle session, so that the test can
// let the session end while a form is being filled.

const IDLE_SECONDS = 12;
const port = Number(process.env.E2E_SESSION_PORT || 18097);
const base = `http://127.0.0.1:${port}`;
let server: ChildProcess | null = null;
let dbFile = '';

test.beforeAll(async () => {
  const targetDir = process.env.CARGO_TARGET_DIR || path.resolve(__dirname, '..', '..', 'target');
  const bin = process.env.RELAIS_BIN || path.join(targetDir, 'debug', 'relais');
  dbFile = path.join(os.tmpdir(), `relais-e2e-session-${process.pid}-${Date.now()}.db`);
  server = spawn(bin, ['serve', '--demo', '--listen', `127.0.0.1:${port}`, '--database', `sqlite://${dbFile}`], {
    env: {
      ...process.env,
      RELAIS_SESSION_IDLE_SECONDS: String(IDLE_SECONDS),
      RELAIS_LOGIN_ATTEMPTS_PER_IP: '10000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 240; i++) {
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) {
        return;
      }
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the short-session server did not start');
});

test.afterAll(async () => {
  server?.kill();
  for (const suffix of ['', '-wal', '-shm']) {
    fs.rmSync(dbFile + suffix, { force: true });
  }
});

test('the session ends while the intake is filled: a warning first, then sign in again and nothing typed is lost', async ({ browser }) => {
  test.setTimeout(120_000);
  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  await page.goto('/login');
  await submitLogin(page, DEMO.agent, DEMO_PASSWORD);
  await expect(page).toHaveURL(`${base}/`);

  await page.goto('/intake');
  await page.locator('#q').fill('lefevre helene');
  const person = page.locator('#search-results input[name="person_id"]').first();
  await person.check();
  const personId = await person.getAttribute('value');
  await page.locator('#procedure').fill('Déclarer un changement de situation à la CAF');
  await page.locator('#category').selectOption('famille');
  await page.locator('input[name="mode"][value="done_with"]').check();
  await page.locator('input[name="duration_minutes"][value="45"]').check();
  const summary = 'Changement de situation déclaré ensemble, attestation imprimée';
  await page.locator('#summary').fill(summary);

  // Idle: the warning comes before the end, with "stay signed in".
  const warning = page.locator('#session-warning');
  await expect(warning).toBeVisible({ timeout: IDLE_SECONDS * 1000 });
  await expect(warning.getByRole('button', { name: 'Rester connecté' })).toBeVisible();
  await checkA11y(page, '/intake with the session warning');
  // Let it end.
  await page.waitForTimeout((IDLE_SECONDS + 2) * 1000);
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await expect(page.locator('h1')).toHaveText('Session fermée');
  await expect(page.locator('main')).toContainText('sans activité');
  await checkA11y(page, 'session ended page');

  // Sign in again: back on the intake, the form filled again.
  await page.getByRole('link', { name: 'Se reconnecter et reprendre' }).click();
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.locator('#email').fill(DEMO.agent);
  await page.locator('#password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
  await expect(page).toHaveURL(/\/intake\?restore=1/);
  await expect(page.locator('#draft-notice')).toContainText('reprise');
  await expect(page.locator('#summary')).toHaveValue(summary);
  await expect(page.locator('#procedure')).toHaveValue('Déclarer un changement de situation à la CAF');
  await expect(page.locator('#category')).toHaveValue('famille');
  await expect(page.locator('input[name="mode"][value="done_with"]')).toBeChecked();
  await expect(page.locator('input[name="duration_minutes"][value="45"]')).toBeChecked();
  await expect(page.locator(`#search-results input[value="${personId}"]`)).toBeChecked();
  await checkA11y(page, '/intake restored');
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}\?done=request-recorded/);
  await expect(page.locator('main')).toContainText(summary);
  await expect(page.locator('main')).toContainText('45 min');

  // Saved: the draft is gone, a new intake starts empty.
  await page.goto('/intake');
  await expect(page.locator('#draft-notice')).toBeHidden();
  await expect(page.locator('#summary')).toHaveValue('');
  await context.close();
});
