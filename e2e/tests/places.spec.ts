import { test, expect } from '@playwright/test';
import { DEMO, DEMO_PASSWORD, checkA11y, signIn } from './helpers';

test('from a request: places near the person, refer, print the slip, mark it done', async ({ page }) => {
  await signIn(page, DEMO.agent, DEMO_PASSWORD);
  // A request of the demo data, made before today: the other tests of the
  // run add requests of their own, some for persons without a commune.
  const before = new Date(Date.now() - 2 * 86400000).toISOString().slice(0, 10);
  await page.goto(`/requests?to=${before}`);
  // A request of a named person (anonymous ones have no link to a person).
  const rows = page.locator('main table tbody tr').filter({ hasNot: page.getByText('Anonyme') });
  await rows.first().locator('a[href^="/requests/"]').click();
  const requestUrl = page.url();
  await page.getByRole('link', { name: 'Orienter vers un lieu' }).click();
  await expect(page.locator('h1')).toHaveText('Orienter la personne');
  // The person's commune is filled in and the places of its département listed.
  await expect(page.locator('#near')).not.toHaveValue('');
  await expect(page.locator('#h-results')).toContainText('Lieux trouvés');
  await checkA11y(page, 'refer: places near the person');

  // Filter: help with procedures only; the library goes away.
  await page.locator('#service').selectOption('demarches');
  await page.getByRole('button', { name: 'Chercher des lieux' }).click();
  await expect(page.locator('.targets')).toContainText('France Services de Vaulx-sur-Rhône');
  await expect(page.locator('.targets')).not.toContainText('Médiathèque');
  await expect(page.locator('.targets')).toContainText('du lundi au vendredi');

  // Nothing chosen: the error is said and linked.
  await page.getByRole('button', { name: 'Orienter', exact: true }).click();
  await expect(page.locator('#form-errors')).toBeVisible();
  await expect(page.locator('#form-errors a[href="#target-first"]')).toHaveCount(1);
  await checkA11y(page, 'refer with an error');

  // With the keyboard: the place, the reason, a follow-up in two weeks.
  await page.getByLabel(/France Services de Vaulx-sur-Rhône/).focus();
  await page.keyboard.press('Space');
  await expect(page.getByLabel(/France Services de Vaulx-sur-Rhône/)).toBeChecked();
  await page.locator('#reason').fill('Renouvellement de la carte de séjour avec le conseiller');
  const inTwoWeeks = new Date(Date.now() + 14 * 86400_000).toISOString().slice(0, 10);
  await page.locator('#follow_up_date').fill(inTwoWeeks);
  await page.locator('#reason').press('Enter');

  // Back on the request: the referral, proposed, with its slip.
  await expect(page).toHaveURL(new RegExp(`${requestUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\?done=referral-created`));
  const item = page.locator('#referrals li').filter({ hasText: 'France Services de Vaulx-sur-Rhône' });
  await expect(item).toContainText('Proposée');
  await expect(item).toContainText('Renouvellement de la carte de séjour');
  await expect(page.locator('#h-follow + ul, #h-follow ~ ul')).toContainText('Orientation : France Services de Vaulx-sur-Rhône');
  const slip = await item.getByRole('link', { name: /Imprimer le bon d’orientation/ }).getAttribute('href');
  const pdf = await page.request.get(slip!);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()['content-type']).toBe('application/pdf');
  expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
  await checkA11y(page, 'request with a referral');

  // Done.
  await item.locator('select').selectOption('done');
  await item.getByRole('button', { name: /Mettre à jour/ }).click();
  await expect(page.locator('#referrals li').filter({ hasText: 'France Services de Vaulx-sur-Rhône' })).toContainText('Aboutie');
  await checkA11y(page, 'request with a referral done');
});

test('the directory page, a place, and an administrator importing a file', async ({ page }) => {
  await signIn(page, DEMO.admin, DEMO_PASSWORD);
  await page.goto('/places?near=69100');
  await expect(page.locator('#h-results')).toContainText('Villeurbanne');
  await page.getByRole('link', { name: 'Espace numérique du CCAS de Démoville' }).click();
  await expect(page.locator('h1')).toHaveText('Espace numérique du CCAS de Démoville');
  await expect(page.locator('main')).toContainText('du lundi au vendredi : 9 h – 12 h, 13 h 30 – 17 h');
  await checkA11y(page, 'a place');
  await page.goto('/places?near=nulle-part-sur-terre');
  await expect(page.locator('#near')).toHaveAttribute('aria-invalid', 'true');
  await checkA11y(page, '/places with an unknown commune');

  await page.goto('/places/import');
  await page.locator('#format').selectOption('lmn');
  const header = 'id,pivot,nom,commune,code_postal,code_insee,adresse,latitude,longitude,date_maj,services,horaires';
  const csv = [
    header,
    'e2e-1,00000000000000,Tiers-lieu e2e,Villeurbanne,69100,69266,1 rue du Test,45.77,4.88,2026-01-05,Aide aux démarches administratives,Mo-Fr 09:00-17:00',
    'e2e-2,00000000000000,Sans code postal,Villeurbanne,6910,,2 rue du Test,,,2026-01-05,,',
  ].join('\n');
  await page.locator('#file').setInputFiles({ name: 'lieux.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Importer' }).click();
  await expect(page.locator('#h-report')).toBeVisible();
  await expect(page.locator('main table')).toContainText('ligne 3');
  await expect(page.locator('main table')).toContainText('code_postal');
  await expect(page.locator('main dl.facts')).toContainText('Nouveaux lieux');
  await checkA11y(page, 'import report');
  // A file in the wrong encoding: a clear message, nothing imported.
  await page.locator('#file').setInputFiles({ name: 'latin1.csv', mimeType: 'text/csv', buffer: Buffer.from([0x69, 0x64, 0x2c, 0x6e, 0x6f, 0x6d, 0x0a, 0x43, 0x61, 0x66, 0xe9]) });
  await page.getByRole('button', { name: 'Importer' }).click();
  await expect(page.locator('#form-errors')).toContainText('UTF-8');
  await checkA11y(page, 'import refused');

  // The structure's own places and their exports.
  await page.goto('/places/own');
  await expect(page.locator('main')).toContainText('Espace numérique du CCAS de Démoville');
  // Editing a place: the form comes filled; a bad hours field is said.
  await page.getByRole('link', { name: /Modifier Espace numérique du CCAS de Démoville/ }).click();
  await expect(page.locator('#name')).toHaveValue('Espace numérique du CCAS de Démoville');
  await expect(page.locator('#services-first')).toBeChecked();
  await checkA11y(page, '/places/own/{id}');
  await page.locator('#opening_hours').fill('lundi matin');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await expect(page.locator('#opening_hours')).toHaveAttribute('aria-invalid', 'true');
  await checkA11y(page, '/places/own/{id} with an error');
  await page.goto('/places/own');
  await page.locator('#name').fill('X');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await expect(page.locator('#form-errors')).toBeVisible();
  await checkA11y(page, '/places/own with errors');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'data·inclusion v1 (JSON)' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/data-inclusion-v1\.json$/);
});
