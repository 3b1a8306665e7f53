import { test, expect, type Locator } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { DEMO, DEMO_PASSWORD, checkA11y, expectPath, signIn, signOut, uniqueSuffix } from './helpers';

/** Selects the first option whose value or label matches `pattern` (else keeps the current one). */
async function selectMatching(select: Locator, pattern: RegExp): Promise<void> {
  const options = await select
    .locator('option')
    .evaluateAll((opts) => opts.map((o) => ({ value: (o as HTMLOptionElement).value, label: o.textContent ?? '' })));
  const match = options.find((o) => pattern.test(o.value) || pattern.test(o.label));
  if (match) await select.selectOption(match.value);
}

/** Reads the invitation link shown once in #invite-link and returns its path (/invite/<token>). */
async function readInvitePath(link: Locator): Promise<string> {
  await expect(link).toBeVisible();
  const texts = await link.evaluate((el) => [
    el.getAttribute('href') ?? '',
    (el as HTMLInputElement).value ?? '',
    el.textContent ?? '',
    el.querySelector('a')?.getAttribute('href') ?? '',
    (el.querySelector('input') as HTMLInputElement | null)?.value ?? '',
  ]);
  for (const text of texts) {
    const m = /\/invite\/[A-Za-z0-9_\-.~%]+/.exec(text.trim());
    if (m) return m[0];
  }
  throw new Error(`no /invite/<token> URL in #invite-link: ${JSON.stringify(texts)}`);
}

test('a supervisor invites a member, who creates an account and signs in', async ({ page }) => {
  await signIn(page, DEMO.responsable, DEMO_PASSWORD);

  const teamLink = page.getByRole('link', { name: 'Équipe', exact: true });
  await expect(teamLink).toHaveAttribute('href', '/team');
  await expect(page.getByRole('link', { name: 'Structures', exact: true })).toHaveCount(0);
  await teamLink.click();
  await expectPath(page, '/team');

  const members = page.locator('main table');
  await expect(members).toBeVisible();
  await expect(members).toContainText(DEMO.agent);
  await expect(members.getByRole('button', { name: /^Désactiver/ }).first()).toBeVisible();
  await expect(members.getByRole('button', { name: /^Réinitialiser le mot de passe/ }).first()).toBeVisible();
  await checkA11y(page, '/team');

  const suffix = uniqueSuffix();
  const email = `invite-${suffix}@demoville.test`;
  const name = `Dominique Invitée ${suffix}`;
  const password = `Nouveau-mot-de-passe-${suffix}!`;

  await page.locator('#invite_email').fill(email);
  await page.locator('#invite_name').fill(name);
  await selectMatching(page.locator('select#invite_role'), /agent/i);
  await page.getByRole('button', { name: 'Inviter', exact: true }).click();

  const invitePath = await readInvitePath(page.locator('#invite-link'));
  await checkA11y(page, '/team (after invitation)');

  await signOut(page);

  await page.goto(invitePath);
  await expectPath(page, invitePath);
  await expect(page.locator('#name')).toHaveValue(name);
  await checkA11y(page, '/invite/<token>');
  await page.locator('#password').fill(password);
  await page.locator('#password_confirm').fill(password);
  await page.getByRole('button', { name: 'Créer mon compte', exact: true }).click();
  await expectPath(page, '/login');
  await expect(page.getByRole('status')).toBeVisible();

  await signIn(page, email, password);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Bonjour');
  await expect(page.getByRole('heading', { level: 1 })).toContainText(name);

  // The invitation link works only once.
  await signOut(page);
  const reuse = await page.goto(invitePath);
  const stillAForm =
    reuse !== null && reuse.ok() && (await page.getByRole('button', { name: 'Créer mon compte', exact: true }).count()) > 0;
  expect(stillAForm, 'a used invitation link must not offer the account form again').toBe(false);
});

test('an agent cannot open the team page', async ({ page }) => {
  await signIn(page, DEMO.agent, DEMO_PASSWORD);
  const response = await page.goto('/team');
  const denied = response === null || !response.ok() || new URL(page.url()).pathname !== '/team';
  expect(denied, '/team must be refused to an agent (403/404 or redirect)').toBe(true);
  await expect(page.locator('#invite_email')).toHaveCount(0);
});

test('an existing account joins another structure only when it accepts; the pages pass axe', async ({ page }) => {
  // A second structure and its supervisor, made by the operator's command line.
  const suffix = uniqueSuffix();
  const slug = `autre-${suffix}`;
  const supervisor = `sup-${suffix}@autre.test`;
  const password = `Phrase-longue-et-rare-${suffix}!`;
  const bin = process.env.RELAIS_BIN
    || path.join(process.env.CARGO_TARGET_DIR || path.resolve(__dirname, '..', '..', 'target'), 'debug', 'relais');
  const db = `sqlite://${process.env.E2E_DB_FILE}`;
  const env = { ...process.env, RELAIS_LOG: 'warn' };
  execFileSync(bin, ['structure', 'add', '--name', `Autre CCAS ${suffix}`, '--slug', slug, '--kind', 'ccas', '--database', db], { env });
  execFileSync(bin, ['user', 'add', '--email', supervisor, '--name', 'Responsable Autre', '--structure', slug, '--role', 'supervisor', '--password-stdin', '--database', db], { env, input: `${password}\n` });

  // That supervisor invites the demo agent's existing account: a link, no membership yet.
  await signIn(page, supervisor, password);
  await page.goto('/team');
  await page.locator('#invite_email').fill(DEMO.agent);
  await page.locator('#invite_name').fill('Agent invitée');
  await page.getByRole('button', { name: 'Inviter', exact: true }).click();
  await expect(page.locator('main')).toContainText('Elle ne rejoindra la structure qu\'après avoir accepté');
  const joinPath = (await page.locator('#invite-link').evaluate((el) => el.textContent ?? ''))
    .match(/\/join\/[A-Za-z0-9_\-.~%]+/)![0];
  await expect(page.locator('main table')).not.toContainText(DEMO.agent);
  await checkA11y(page, '/team (join link for an existing account)');
  await signOut(page);

  // The account opens the link while signed in and accepts.
  await signIn(page, DEMO.agent, DEMO_PASSWORD);
  await page.goto(joinPath);
  await expect(page.locator('#join-intro')).toContainText(DEMO.agent);
  await checkA11y(page, '/join/<token>');
  await page.getByRole('button', { name: 'Accepter', exact: true }).click();
  await expect(page.locator('main')).toContainText('Vous avez rejoint la structure');
  await checkA11y(page, '/join/<token> accepted');
  // The link works once.
  const again = await page.goto(joinPath);
  expect(again!.status()).toBeGreaterThanOrEqual(400);
});
