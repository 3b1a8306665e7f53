import { test, expect, type Page } from '@playwright/test';
import { DEMO, DEMO_PASSWORD, checkA11y, expectVisibleFocus, signIn, tabTo, uniqueSuffix } from './helpers';

/** Tabs to the field, checks its focus ring, then types. */
async function typeInto(page: Page, selector: string, text: string, max = 60): Promise<void> {
  await tabTo(page, page.locator(selector), max);
  await expectVisibleFocus(page);
  await page.keyboard.type(text);
}

test('a walk-in is recorded with the keyboard alone: new person, request, intervention, follow-up', async ({ page }) => {
  await signIn(page, DEMO.agent, DEMO_PASSWORD);
  await page.goto('/intake');
  await checkA11y(page, '/intake');
  const last = `Clavier${uniqueSuffix()}`;

  // "/" focuses the search box; then Tab through the form in visual order.
  await page.locator('main h1').click(); // put focus in the document, away from inputs
  await page.keyboard.press('/');
  await expect(page.locator('#q')).toBeFocused();
  // Person: nobody searched yet, so "person found" is the chosen radio and
  // only its block shows; the arrow keys move within the group and show
  // the chosen block.
  await expect(page.locator('#first_name')).toBeHidden();
  await tabTo(page, page.locator('input[name="person_mode"][value="existing"]'), 10);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('input[name="person_mode"][value="anonymous"]')).toBeChecked();
  await expect(page.locator('#anon_age_bracket')).toBeVisible();
  await page.keyboard.press('ArrowUp');
  await expect(page.locator('input[name="person_mode"][value="new"]')).toBeChecked();
  await expect(page.locator('#anon_age_bracket')).toBeHidden();
  await typeInto(page, '#first_name', 'Odile');
  await typeInto(page, '#last_name', last);
  await typeInto(page, '#birth_year', '1948');
  await typeInto(page, '#postcode', '69100');
  await typeInto(page, '#commune', 'Démoville');
  await typeInto(page, '#phone', '06 11 22 33 44');
  // The policy asks that the privacy notice be given first.
  await tabTo(page, page.locator('#privacy_notice'), 5);
  await page.keyboard.press('Space');
  await expect(page.locator('#privacy_notice')).toBeChecked();
  // Request.
  await typeInto(page, '#procedure', 'Renouvellement de la complémentaire santé solidaire');
  await tabTo(page, page.locator('#category'), 10);
  await page.keyboard.type('Social');
  await expect(page.locator('#category')).toHaveValue('social');
  // Rarer details are folded: open them from the keyboard.
  await tabTo(page, page.getByText('Organisme, canal, échéance'), 5);
  await page.keyboard.press('Enter');
  await typeInto(page, '#operator', 'CPAM');
  // Mode: the first radio of the group gets focus; move to "Faire avec".
  await tabTo(page, page.locator('input[name="mode"]').first(), 10);
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('input[name="mode"][value="done_with"]')).toBeChecked();
  // Duration: 30 min is preselected; move to 45.
  await tabTo(page, page.locator('input[name="duration_minutes"][value="30"]'), 5);
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('input[name="duration_minutes"][value="45"]')).toBeChecked();
  await typeInto(page, '#summary', 'Dossier complété ensemble et envoyé.');
  // Follow-up.
  await typeInto(page, '#follow_up_reason', 'Vérifier la réponse de la CPAM');
  await tabTo(page, page.locator('#follow_up_date'), 10);
  await page.keyboard.type('15062027');
  if ((await page.locator('#follow_up_date').inputValue()) !== '2027-06-15') {
    // The browser's date field is in month/day order: enter it again.
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await tabTo(page, page.locator('#follow_up_date'), 5);
    await page.keyboard.type('06152027');
  }
  await expect(page.locator('#follow_up_date')).toHaveValue('2027-06-15');
  // Save with Enter on the button.
  await tabTo(page, page.getByRole('button', { name: 'Enregistrer', exact: true }), 10);
  await expectVisibleFocus(page);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}/);
  await expect(page.locator('[role=status]')).toContainText('Demande enregistrée');
  await expect(page.locator('main')).toContainText(`Odile ${last.toUpperCase()}`);
  await expect(page.locator('main')).toContainText('Faire avec');
  await expect(page.locator('main')).toContainText('Vérifier la réponse de la CPAM');
  await checkA11y(page, '/requests/<id>');

  // The person page, reached from the request.
  await page.locator('main .facts-line').getByRole('link', { name: `Odile ${last.toUpperCase()}` }).click();
  await expect(page.locator('h1')).toContainText(`Odile ${last.toUpperCase()}`);
  await expect(page.locator('main')).toContainText('Renouvellement de la complémentaire santé solidaire');
  await checkA11y(page, '/persons/<id>');

  // Search finds her with a typo and without accents.
  await page.goto(`/persons?q=${encodeURIComponent('odille ' + last.toLowerCase())}`);
  await expect(page.locator('main')).toContainText(`Odile ${last.toUpperCase()}`);
  await checkA11y(page, '/persons?q=');
});

test('the list, home and form pages pass axe; search as you type fills the results', async ({ page }) => {
  await signIn(page, DEMO.agent, DEMO_PASSWORD);
  await checkA11y(page, '/ (desk)');
  await expect(page.locator('main')).toContainText('En retard');
  await page.goto('/requests');
  await expect(page.locator('main table')).toBeVisible();
  await checkA11y(page, '/requests');
  await page.goto('/requests?mine=1&status=done');
  await checkA11y(page, '/requests?mine=1');
  await page.goto('/persons/new');
  await checkA11y(page, '/persons/new');
  await page.locator('form button[type=submit].primary').click();
  await expect(page.locator('#form-errors')).toBeVisible();
  await checkA11y(page, '/persons/new with errors');

  // Live search on the intake screen.
  await page.goto('/intake');
  await page.locator('#q').fill('helen lefebvre');
  await expect(page.locator('#search-results')).toContainText('Hélène LEFÈVRE');
  await page.locator('#search-results input[type=radio]').first().check();
  await expect(page.locator('input[name="person_mode"][value="existing"]')).toBeChecked();
  await checkA11y(page, '/intake with live results');
  // Submitting with errors keeps the form accessible.
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await expect(page.locator('#form-errors')).toBeVisible();
  await checkA11y(page, '/intake with errors');
});

test('a supervisor sees the merge tools on a person page', async ({ page }) => {
  await signIn(page, DEMO.responsable, DEMO_PASSWORD);
  await page.goto('/persons?q=lefevre');
  await page.locator('main ul a').first().click();
  await expect(page.getByRole('heading', { name: 'Fusionner un doublon dans cette fiche' })).toBeVisible();
  await page.locator('#merge_q').fill('martin');
  await page.locator('#merge_q').press('Enter');
  await checkA11y(page, '/persons/<id> merge search');
});

test('the credential guard stops a password in a note, and a confirmation saves it', async ({ page }) => {
  await signIn(page, DEMO.agent, DEMO_PASSWORD);
  await page.goto('/persons/new');
  await page.locator('#first_name').fill('Gaston');
  await page.locator('#last_name').fill(`Garde${uniqueSuffix()}`);
  await page.locator('#privacy_notice_on').fill('2026-01-05');
  await page.locator('#notes').fill('mdp caf: Soleil2024!');
  await page.locator('form button[type=submit].primary').click();
  await expect(page.locator('#form-errors')).toContainText('ressemble à un mot de passe');
  await checkA11y(page, '/persons/new with the credential guard');
  await page.locator('input[name="confirm_secret"]').check();
  await page.locator('form button[type=submit].primary').click();
  await expect(page.locator('[role=status]')).toContainText('Fiche enregistrée');
});
