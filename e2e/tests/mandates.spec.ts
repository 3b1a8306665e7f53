import { test, expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { DEMO, DEMO_PASSWORD, checkA11y, signIn, signWithScan, uniqueSuffix } from './helpers';

/** A new person, created from the person form (privacy notice given); ends on their page. */
async function newPerson(page: Page, first: string, last: string): Promise<void> {
  await page.goto('/persons/new');
  await page.locator('#first_name').fill(first);
  await page.locator('#last_name').fill(last);
  await page.locator('#privacy_notice_on').fill('2026-01-05');
  await page.locator('form button[type=submit].primary').click();
  await expect(page.locator('h1')).toContainText(`${first} ${last.toUpperCase()}`);
}

test('paper mandate for two categories: document, signature, done_for accepted then refused outside it', async ({ page }) => {
  await signIn(page, DEMO.agent, DEMO_PASSWORD);
  const last = `Mandat${uniqueSuffix()}`;
  await newPerson(page, 'Inès', last);
  const personUrl = page.url().split('?')[0];

  // Draw up the mandate: three short steps on one page.
  await page.getByRole('link', { name: 'Établir un mandat' }).click();
  await checkA11y(page, '/persons/<id>/mandates/new');
  await page.locator('input[name="categories"][value="social"]').check();
  await page.locator('input[name="categories"][value="travail"]').check();
  await page.locator('input[name="duration"][value="six_months"]').check();
  await page.locator('input[name="consent"][value="paper"]').check();
  await page.getByRole('button', { name: 'Établir le mandat' }).click();
  await expect(page.locator('[role=status]')).toContainText('Mandat établi');
  await expect(page.locator('main')).toContainText('En attente de signature');
  await checkA11y(page, '/mandates/<id> pending');

  // Download the PDF.
  const pdfHref = await page.getByRole('link', { name: 'Télécharger le mandat (PDF)' }).getAttribute('href');
  const pdf = await page.request.get(pdfHref!);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()['content-type']).toBe('application/pdf');
  expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');

  // Record the paper signature, with the scan the charter requires.
  await signWithScan(page);
  await checkA11y(page, '/mandates/<id> active');

  // done_for in a covered category: accepted.
  await page.goto(personUrl);
  await page.getByRole('link', { name: 'Nouvelle demande' }).last().click();
  await page.locator('#procedure').fill('Renouvellement de la complémentaire santé solidaire');
  await page.locator('#category').selectOption('social');
  await page.locator('input[name="mode"][value="done_for"]').check();
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}/);
  await expect(page.locator('main')).toContainText('Faire pour');

  // done_for in another category: refused with the reason and a way out.
  await page.goto(personUrl);
  await page.getByRole('link', { name: 'Nouvelle demande' }).last().click();
  await page.locator('#procedure').fill('Pré-demande de carte d’identité');
  await page.locator('#category').selectOption('papiers');
  await page.locator('input[name="mode"][value="done_for"]').check();
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await expect(page.locator('#policy-refusal')).toContainText('mais pas « Papiers');
  await expect(page.locator('#policy-refusal').getByRole('link', { name: 'Établir un mandat' })).toBeVisible();
  await checkA11y(page, '/intake refused by the policy');

  // The mandates list, the public verification page, the policy page.
  await page.goto('/mandates');
  await expect(page.locator('main')).toContainText(`Inès ${last.toUpperCase()}`);
  await checkA11y(page, '/mandates');
  await page.locator('main table a', { hasText: last.toUpperCase() }).first().click();
  const verifyHref = await page.getByRole('link', { name: 'Page de vérification' }).getAttribute('href');
  await page.goto(verifyHref!);
  await expect(page.locator('#mandate-state')).toHaveText('Actif');
  await expect(page.locator('#mandate-facts')).not.toContainText('Social');
  await checkA11y(page, '/v/<code>');
  // With the revocation secret printed on the person's copy, the
  // categories show; a wrong secret is refused.
  const copy = execFileSync('pdftotext', ['-', '-'], { input: await pdf.body() }).toString();
  const secret = copy.match(/[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}/)![0];
  await page.locator('#secret').fill('AAAA-BBBB-CCCC');
  await page.getByRole('button', { name: 'Voir les démarches couvertes' }).click();
  await expect(page.locator('#secret-err')).toContainText('incorrect');
  await checkA11y(page, '/v/<code>/details wrong secret');
  await page.locator('#secret').fill(secret.toLowerCase());
  await page.locator('#secret').press('Enter');
  await expect(page.locator('#mandate-facts')).toContainText('Social');
  await expect(page.getByRole('group', { name: 'Démarches à retirer du mandat' })).toBeVisible();
  await checkA11y(page, '/v/<code>/details');
});

test('supervisors edit the policy; the page and its errors pass axe', async ({ page }) => {
  await signIn(page, DEMO.responsable, DEMO_PASSWORD);
  await page.goto('/structure/policy');
  await checkA11y(page, '/structure/policy');
  await page.locator('#retention_months').fill('0');
  await page.getByRole('button', { name: 'Enregistrer la charte' }).click();
  await expect(page.locator('#form-errors')).toBeVisible();
  await checkA11y(page, '/structure/policy with errors');
  await page.locator('#retention_months').fill('24');
  await page.getByRole('button', { name: 'Enregistrer la charte' }).click();
  await expect(page.locator('[role=status]')).toContainText('Charte enregistrée');
});

test('the mandate form ticks an operator\'s categories live and comes back to the form in progress', async ({ page }) => {
  await signIn(page, DEMO.agent, DEMO_PASSWORD);
  const last = `Organisme${uniqueSuffix()}`;
  await newPerson(page, 'Lina', last);
  const personPath = new URL(page.url()).pathname;
  const back = `${personPath}?from=mandate`;
  await page.goto(`${personPath}/mandates/new?category=papiers&return_to=${encodeURIComponent(back)}`);
  const category = (code: string) => page.locator(`input[name="categories"][value="${code}"]`);
  await expect(category('papiers')).toBeChecked();
  // The examples come from the catalogue: the APL's CAF is under Logement.
  await expect(page.locator('#cat-ops-logement')).toContainText('CAF');
  await expect(page.locator('#cat-ops-argent')).not.toContainText('CAF');
  // Ticking the CAF ticks every category where the catalogue has CAF procedures.
  const caf = page.getByRole('checkbox', { name: 'CAF', exact: true });
  await caf.check();
  for (const code of ['famille', 'social', 'logement']) {
    await expect(category(code)).toBeChecked();
  }
  await expect(category('travail')).not.toBeChecked();
  // Unticking one of them unticks the shortcut, so what is sent is what is seen.
  await category('famille').uncheck();
  await expect(caf).not.toBeChecked();
  await checkA11y(page, '/persons/<id>/mandates/new with shortcuts');
  await page.locator('input[name="consent"][value="paper"]').check();
  await page.getByRole('button', { name: 'Établir le mandat' }).click();
  await expect(page.locator('[role=status]')).toContainText('Mandat établi');
  await expect(page.locator('main')).toContainText('Papiers');
  await expect(page.locator('main')).toContainText('Logement');
  // The way back is offered before the signature too.
  await expect(page.locator('#mandate-return')).toBeVisible();
  await page.locator('#scan').setInputFiles({
    name: 'mandat-signe.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n% signed paper mandate\n'),
  });
  await page.getByRole('button', { name: 'Enregistrer la signature' }).click();
  await expect(page.locator('[role=status]')).toContainText('Mandat signé');
  await checkA11y(page, '/mandates/<id> signed with a way back');
  await page.locator('#mandate-return a').click();
  await expect(page).toHaveURL(new RegExp(`${back.replace('?', '\\?')}$`));
});
