import { test, expect, type Page } from '@playwright/test';
import { DEMO, DEMO_AGENT_NAME, DEMO_PASSWORD, checkA11y, signIn, signWithScan, uniqueSuffix } from './helpers';

// Each refusal of the charter names its facts and offers the ways forward
// that fit; each way forward works and comes back to the filled form.

/** A new person (privacy notice given) and the address of their page. */
async function newPerson(page: Page, last: string): Promise<string> {
  await page.goto('/persons/new');
  await page.locator('#first_name').fill('Rose');
  await page.locator('#last_name').fill(last);
  await page.locator('#privacy_notice_on').fill('2026-01-05');
  await page.locator('form button[type=submit].primary').click();
  await expect(page.locator('h1')).toContainText(last.toUpperCase());
  return page.url().split('?')[0];
}

/** Fills the intake for the person whose page is open: done for them. */
async function intakeDoneFor(page: Page, personUrl: string, procedure: string, category: string, summary: string): Promise<void> {
  const id = personUrl.split('/').pop();
  await page.goto(`/intake?person_id=${id}`);
  await expect(page.locator(`#search-results input[value="${id}"]`)).toBeChecked();
  await page.locator('#procedure').fill(procedure);
  await page.locator('#category').selectOption(category);
  await page.locator('input[name="mode"][value="done_for"]').check();
  await page.locator('#summary').fill(summary);
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
}

test('no mandate: "faire avec" in one click keeps everything typed', async ({ page }) => {
  await signIn(page, DEMO.agent, DEMO_PASSWORD);
  const last = `Sansmandat${uniqueSuffix()}`;
  const personUrl = await newPerson(page, last);
  await intakeDoneFor(page, personUrl, 'Demander une aide au logement (APL, ALF, ALS)', 'logement', 'Dossier APL rempli');
  const refusal = page.locator('#policy-refusal');
  await expect(refusal).toContainText('Pas de mandat');
  await expect(refusal).toContainText('« Logement »');
  await expect(refusal.getByRole('link', { name: 'Établir un mandat pour « Logement »' })).toBeVisible();
  await checkA11y(page, '/intake refused: no mandate');
  await refusal.getByRole('button', { name: 'Enregistrer en « faire avec »' }).click();
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}\?done=request-recorded/);
  await expect(page.locator('main')).toContainText('Faire avec');
  await expect(page.locator('main')).toContainText('Dossier APL rempli');
});

test('no mandate, then unsigned: draw one up for the missing category, mark it signed, come back and record', async ({ page }) => {
  await signIn(page, DEMO.agent, DEMO_PASSWORD);
  const last = `Mandatretour${uniqueSuffix()}`;
  const personUrl = await newPerson(page, last);
  await intakeDoneFor(page, personUrl, 'Demander une aide au logement (APL, ALF, ALS)', 'logement', 'Demande APL faite pour la personne');
  const refusal = page.locator('#policy-refusal');
  await refusal.getByRole('link', { name: 'Établir un mandat pour « Logement »' }).click();
  // The mandate form: the person and the missing category are filled.
  await expect(page.locator('input[name="categories"][value="logement"]')).toBeChecked();
  await page.locator('input[name="duration"][value="six_months"]').check();
  await page.locator('input[name="consent"][value="paper"]').check();
  await page.getByRole('button', { name: 'Établir le mandat' }).click();
  await expect(page.locator('[role=status]')).toContainText('Mandat établi');
  // Back to the intake before signing: the form is as it was.
  await page.locator('main a[href^="/intake?restore=1"]').first().click();
  await expect(page.locator('#summary')).toHaveValue('Demande APL faite pour la personne');
  await expect(page.locator('input[name="mode"][value="done_for"]')).toBeChecked();
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  // Refused again, now because the mandate waits for its signature.
  await expect(refusal).toContainText('pas encore signé');
  await expect(refusal).toContainText('Signature sur papier');
  await checkA11y(page, '/intake refused: mandate not signed');
  await refusal.getByRole('link', { name: 'Marquer signé' }).click();
  await signWithScan(page);
  await page.locator('main a[href^="/intake?restore=1"]').first().click();
  await expect(page.locator('#summary')).toHaveValue('Demande APL faite pour la personne');
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}\?done=request-recorded/);
  await expect(page.locator('main')).toContainText('Faire pour');
});

test('a category the mandate leaves out: the message names what it covers and until when', async ({ page }) => {
  await signIn(page, DEMO.agent, DEMO_PASSWORD);
  const last = `Horscat${uniqueSuffix()}`;
  const personUrl = await newPerson(page, last);
  await page.goto(`${personUrl}/mandates/new`);
  await page.locator('input[name="categories"][value="social"]').check();
  await page.locator('input[name="duration"][value="six_months"]').check();
  await page.locator('input[name="consent"][value="paper"]').check();
  await page.getByRole('button', { name: 'Établir le mandat' }).click();
  await signWithScan(page);
  await intakeDoneFor(page, personUrl, 'Demander un logement social', 'logement', 'Demande de logement social');
  const refusal = page.locator('#policy-refusal');
  await expect(refusal).toContainText(/Le mandat [A-Z0-9-]+ couvre Social – Santé jusqu’au|Le mandat [A-Z0-9-]+ couvre Social – Santé jusqu'au/);
  await expect(refusal).toContainText('mais pas « Logement »');
  await expect(refusal).toContainText(/\d{2}\/\d{2}\/\d{4}/);
  await checkA11y(page, '/intake refused: category not covered');
  const draw = refusal.getByRole('link', { name: 'Établir un mandat pour « Logement »' });
  await draw.click();
  await expect(page.locator('input[name="categories"][value="logement"]')).toBeChecked();
});

test('a mediator may not act for the person: hand the request to an agent', async ({ page }) => {
  await signIn(page, DEMO.mediateur, DEMO_PASSWORD);
  await page.goto('/intake');
  await page.locator('#q').fill('lefevre helene');
  await page.locator('#search-results input[name="person_id"]').first().check();
  await page.locator('#procedure').fill('Créer son compte ameli et télécharger une attestation de droits');
  await page.locator('#category').selectOption('social');
  await page.locator('input[name="mode"][value="done_for"]').check();
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  const refusal = page.locator('#policy-refusal');
  await expect(refusal).toContainText('Votre rôle (Médiateur ou médiatrice)');
  // No mandate to draw up: the role is the problem.
  await expect(refusal.getByRole('link', { name: /Établir un mandat/ })).toHaveCount(0);
  await checkA11y(page, '/intake refused: role');
  await refusal.getByLabel('Agent à qui confier la demande').selectOption({ label: DEMO_AGENT_NAME });
  await refusal.getByRole('button', { name: 'Confier à un agent' }).click();
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}\?done=handed-over/);
  await expect(page.locator('[role=status]')).toContainText('confiée');
  await expect(page.locator('main')).toContainText('Faire à la place de la personne');
  await expect(page.locator('main')).toContainText(DEMO_AGENT_NAME);
});

test('an anonymous visit cannot give a mandate; the request page explains its refusals too', async ({ page }) => {
  await signIn(page, DEMO.agent, DEMO_PASSWORD);
  await page.goto('/intake');
  await page.locator('#mode-anonymous').check();
  await page.locator('#procedure').fill('Acheter un timbre fiscal électronique');
  await page.locator('#category').selectOption('argent');
  await page.locator('input[name="mode"][value="done_for"]').check();
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  const refusal = page.locator('#policy-refusal');
  await expect(refusal).toContainText('passage anonyme ne peut pas donner de mandat');
  await refusal.getByRole('button', { name: 'Enregistrer en « faire avec »' }).click();
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}\?done=request-recorded/);

  // On the request page: a "done for" intervention is refused with the same
  // facts and ways forward.
  await page.locator('#mode').selectOption('done_for');
  await page.locator('#intervention-form #summary').fill('Timbre acheté pour la personne');
  await page.locator('#intervention-form button[type=submit]').click();
  await expect(refusal).toContainText('passage anonyme');
  await checkA11y(page, '/requests/<id> refused');
  await refusal.getByRole('button', { name: 'Enregistrer en « faire avec »' }).click();
  await expect(page).toHaveURL(/\?done=intervention-added/);
  await expect(page.locator('main')).toContainText('Timbre acheté pour la personne');
});

test('a category revoked from the mandate: the message says so and a new mandate is offered', async ({ page }) => {
  await signIn(page, DEMO.agent, DEMO_PASSWORD);
  const last = `Revoque${uniqueSuffix()}`;
  const personUrl = await newPerson(page, last);
  await page.goto(`${personUrl}/mandates/new`);
  await page.locator('input[name="categories"][value="social"]').check();
  await page.locator('input[name="categories"][value="logement"]').check();
  await page.locator('input[name="duration"][value="six_months"]').check();
  await page.locator('input[name="consent"][value="paper"]').check();
  await page.getByRole('button', { name: 'Établir le mandat' }).click();
  await signWithScan(page);
  // The person takes "Social – Santé" back.
  await page.locator('form[action$="/revoke"] input[name="categories"][value="social"]').check();
  await page.locator('#reason').fill('La personne souhaite le faire seule');
  await page.locator('form[action$="/revoke"] button[type=submit]').click();
  await intakeDoneFor(page, personUrl, 'Créer son compte ameli et télécharger une attestation de droits', 'social', 'Compte ameli créé');
  const refusal = page.locator('#policy-refusal');
  await expect(refusal).toContainText('a été révoqué pour « Social – Santé »');
  await expect(refusal.getByRole('link', { name: 'Établir un mandat pour « Social – Santé »' })).toBeVisible();
  await checkA11y(page, '/intake refused: category revoked');
  await refusal.getByRole('button', { name: 'Enregistrer en « faire avec »' }).click();
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}\?done=request-recorded/);
  await expect(page.locator('main')).toContainText('Compte ameli créé');
});

test('a mode the charter does not allow for the category: the message names the category', async ({ page }) => {
  await signIn(page, DEMO.responsable, DEMO_PASSWORD);
  const rule = page.getByRole('checkbox', { name: 'Justice : Faire pour' });
  await page.goto('/structure/policy');
  await rule.uncheck();
  await page.getByRole('button', { name: 'Enregistrer la charte' }).click();
  await expect(page.locator('[role=status]')).toContainText('Charte enregistrée');
  try {
    await page.goto('/intake');
    await page.locator('#mode-anonymous').check();
    await page.locator('#procedure').fill('Demander un extrait de casier judiciaire (bulletin n° 3)');
    await page.locator('#category').selectOption('justice');
    await page.locator('input[name="mode"][value="done_for"]').check();
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    const refusal = page.locator('#policy-refusal');
    await expect(refusal).toContainText('ne permet pas ce mode d’intervention pour « Justice »'.replace('’', "'"));
    await expect(refusal.getByRole('link', { name: /Établir un mandat/ })).toHaveCount(0);
    await checkA11y(page, '/intake refused: mode not allowed');
    await refusal.getByRole('button', { name: 'Enregistrer en « faire avec »' }).click();
    await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}\?done=request-recorded/);
  } finally {
    await page.goto('/structure/policy');
    await rule.check();
    await page.getByRole('button', { name: 'Enregistrer la charte' }).click();
    await expect(page.locator('[role=status]')).toContainText('Charte enregistrée');
  }
});
