import { test, expect } from '@playwright/test';
import { DEMO, DEMO_PASSWORD, checkA11y, signIn, uniqueSuffix } from './helpers';

test('private notes: the guard, the keyboard, and nobody else reads them', async ({ page, browser }) => {
  await signIn(page, DEMO.agent, DEMO_PASSWORD);
  const last = `Privee${uniqueSuffix()}`;
  await page.goto('/persons/new');
  await page.locator('#first_name').fill('Rose');
  await page.locator('#last_name').fill(last);
  await page.locator('#privacy_notice_on').fill('2026-01-05');
  await page.locator('form button[type=submit].primary').click();
  await expect(page.locator('h1')).toContainText(`Rose ${last.toUpperCase()}`);
  const personUrl = page.url().split('?')[0];
  await checkA11y(page, '/persons/<id> with the private notes');

  // A password in a private note: stopped, then saved once confirmed.
  const note = page.locator('#body');
  await note.focus();
  await page.keyboard.type('mdp caf: Soleil2024!');
  await page.getByRole('button', { name: 'Enregistrer la note' }).press('Enter');
  await expect(page.locator('.field-error')).toContainText('mot de passe');
  await checkA11y(page, 'private note stopped by the credential guard');
  await page.locator('input[name="confirm_secret"]').check();
  await page.getByRole('button', { name: 'Enregistrer la note' }).click();
  await expect(page.locator('[role=status]')).toContainText('Note personnelle enregistrée');
  await expect(page.locator('#private-notes')).toContainText('Soleil2024');

  // The supervisor opens the same file: no trace of the note.
  const other = await browser.newContext();
  const sup = await other.newPage();
  await signIn(sup, DEMO.responsable, DEMO_PASSWORD);
  await sup.goto(personUrl);
  await expect(sup.locator('main')).not.toContainText('Soleil2024');
  await expect(sup.locator('main')).toContainText('A consulté le dossier');
  await checkA11y(sup, '/persons/<id> as supervisor (access history, data section)');
  await other.close();
});

test('retention, erasure and the data report, in French and English', async ({ page }) => {
  await signIn(page, DEMO.responsable, DEMO_PASSWORD);
  await page.getByRole('link', { name: 'Données personnelles' }).click();
  await expect(page.locator('h1')).toHaveText('Conservation des dossiers');
  // The demo holds two files due within the month.
  expect(await page.locator("tbody tr").count()).toBeGreaterThan(0);
  await checkA11y(page, '/privacy/retention');
  // Keeping a file needs a reason: the error is announced, then it works.
  const row = page.locator('tbody tr').first();
  await row.locator('input[name="until"]').fill('2099-01-01');
  await row.getByRole('button', { name: 'Prolonger le dossier' }).click();
  await expect(page.locator('#form-errors')).toBeVisible();
  await checkA11y(page, '/privacy/retention with errors');
  const row2 = page.locator('tbody tr').first();
  const inTwoMonths = new Date(Date.now() + 60 * 86400_000).toISOString().slice(0, 10);
  await row2.locator('input[name="until"]').fill(inTwoMonths);
  await row2.locator('input[name="reason"]').fill('Recours en cours devant la CAF');
  await row2.getByRole('button', { name: 'Prolonger le dossier' }).click();
  await expect(page.locator('[role=status]')).toContainText('Dossier prolongé');

  // Erasure of a fresh person, then the data report of a demo person.
  const last = `Efface${uniqueSuffix()}`;
  await page.goto('/persons/new');
  await page.locator('#first_name').fill('Léo');
  await page.locator('#last_name').fill(last);
  await page.locator('#privacy_notice_on').fill('2026-01-05');
  await page.locator('form button[type=submit].primary').click();
  await page.getByRole('link', { name: 'Effacer le dossier' }).click();
  await checkA11y(page, '/persons/<id>/erase');
  await page.getByRole('button', { name: 'Effacer définitivement le dossier' }).click();
  await expect(page.locator('[role=status]')).toContainText('Dossier effacé');
  await expect(page.locator('h1')).toHaveText('Personne anonymisée');
  await checkA11y(page, 'anonymised person');

  await page.goto('/persons?q=Hélène');
  await page.getByRole('link', { name: /Hélène LEF/ }).first().click();
  const href = await page.getByRole('link', { name: 'Relevé des données (PDF)' }).getAttribute('href');
  const pdf = await page.request.get(href!);
  expect(pdf.status()).toBe(200);
  expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
  const json = await page.request.get(href!.replace('.pdf', '.json'));
  const data = await json.json();
  expect(data.person.first_name).toBe('Hélène');
  expect(data.requests.length).toBeGreaterThan(0);
  expect(data.access_history.length).toBeGreaterThan(0);

  await page.getByRole('link', { name: 'English', exact: true }).click();
  await page.goto('/privacy/retention');
  await expect(page.locator('h1')).toHaveText('Retention of files');
  await checkA11y(page, '/privacy/retention in English');
  const notice = await page.request.get('/structure/privacy-notice.pdf');
  expect(notice.status()).toBe(200);
});
