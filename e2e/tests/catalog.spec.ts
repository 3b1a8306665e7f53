import { test, expect } from '@playwright/test';
import { DEMO, DEMO_PASSWORD, checkA11y, signIn } from './helpers';

/** The day the France Travail follow-up should be proposed, seen from Paris today. */
function expectedFranceTravailDay(): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
  const [y, m, d] = today.split('-').map(Number);
  const opens = m === 2 ? 26 : 28;
  if (d <= 15 || d >= opens) {
    return today; // a window is open: do it now
  }
  return `${y}-${String(m).padStart(2, '0')}-${opens}`;
}

test('picking a catalogue procedure at intake shows what to bring and proposes the next follow-up', async ({ page }) => {
  await signIn(page, DEMO.agent, DEMO_PASSWORD);
  await page.goto('/intake');
  const procedure = page.locator('#procedure');
  await procedure.focus();
  await procedure.fill('Actualisation mensuelle France Travail');
  await expect(page.locator('#procedure-info')).toContainText('À apporter');
  await expect(page.locator('#procedure-info')).toContainText('Conseils');
  await expect(page.locator('#category')).toHaveValue('travail');
  await expect(page.locator('#operator')).toHaveValue('France Travail');
  await expect(page.locator('#follow_up_date')).toHaveValue(expectedFranceTravailDay());
  await expect(page.locator('#follow_up_reason')).toHaveValue(/Actualisation mensuelle France Travail/);
  await checkA11y(page, '/intake with a catalogue procedure picked');

  // A procedure whose deadline depends on the person asks for their date.
  await procedure.fill('');
  await procedure.fill('Demander ou renouveler la Complémentaire santé solidaire (C2S)');
  await expect(page.locator('#deadline_anchor')).toBeVisible();
  await checkA11y(page, '/intake with a procedure needing the person\'s date');
});

test('the reminders inbox and the private calendar address', async ({ page }) => {
  await signIn(page, DEMO.agent, DEMO_PASSWORD);
  await page.getByRole('link', { name: 'Rappels' }).click();
  await expect(page.locator('h1')).toHaveText('Rappels');
  await checkA11y(page, '/inbox');
  await page.goto('/account');
  await page.getByRole('button', { name: "Créer l'adresse du calendrier" }).click();
  const url = await page.locator('#calendar-url').textContent();
  expect(url).toMatch(/\/calendar\/[0-9a-f]{64}\.ics$/);
  await checkA11y(page, '/account with the calendar address');
  const feed = await page.request.get(new URL(url!).pathname);
  expect(feed.status()).toBe(200);
  expect(await feed.text()).toContain('BEGIN:VCALENDAR');
  await page.getByRole('button', { name: 'Révoquer le calendrier' }).click();
  await expect(page.locator('[role=status]')).toContainText('Calendrier révoqué');
});

test('the structure\'s catalogue page: a partner contact with an error, then saved', async ({ page }) => {
  await signIn(page, DEMO.responsable, DEMO_PASSWORD);
  await page.getByRole('link', { name: 'Catalogue' }).click();
  await expect(page.locator('h1')).toHaveText('Catalogue des démarches');
  await page.locator('#op-caf summary').click();
  await page.locator('#caf-partner_portal').fill('ftp://caf.example');
  await page.getByRole('button', { name: /Enregistrer les contacts.*CAF/ }).click();
  await expect(page.locator('#form-errors')).toBeVisible();
  await expect(page.locator('#caf-partner_portal')).toHaveAttribute('aria-invalid', 'true');
  await checkA11y(page, '/structure/catalogue with an error');
  await page.locator('#caf-partner_portal').fill('https://partenaires.caf.example');
  await page.locator('#caf-pro_phone').fill('04 00 00 00 00');
  await page.getByRole('button', { name: /Enregistrer les contacts.*CAF/ }).click();
  await expect(page.locator('[role=status]')).toContainText('Catalogue enregistré');
});

test('the catalogue page filters without accents and saves every procedure at once', async ({ page }) => {
  await signIn(page, DEMO.responsable, DEMO_PASSWORD);
  await page.goto('/structure/catalogue');
  await page.locator('#catalogue-q').fill('cheque energie');
  await page.locator('#catalogue-q').press('Enter');
  await expect(page.locator('#catalogue-found')).toHaveText('Une démarche correspond.');
  await expect(page.locator('#procedure-settings')).toContainText('Chèque énergie');
  await expect(page.locator('#procedure-settings')).not.toContainText('Demander le RSA');
  await checkA11y(page, '/structure/catalogue?q=');
  await page.locator('#catalogue-q').fill('caf');
  await page.locator('#catalogue-q').press('Enter');
  await page.locator('#note-caf-rsa-demande').fill('Permanence RSA le mardi matin.');
  await page.locator('#proc-caf-ars input[name="hidden"]').check();
  await page.getByRole('button', { name: 'Enregistrer les réglages des démarches' }).click();
  await expect(page.locator('[role=status]')).toContainText('Catalogue enregistré');
  await expect(page.locator('#catalogue-q')).toHaveValue('caf');
  await expect(page.locator('#note-caf-rsa-demande')).toHaveValue('Permanence RSA le mardi matin.');
  await expect(page.locator('#proc-caf-ars input[name="hidden"]')).toBeChecked();
  // Put it back as shipped.
  await page.locator('#note-caf-rsa-demande').fill('');
  await page.locator('#proc-caf-ars input[name="hidden"]').uncheck();
  await page.getByRole('button', { name: 'Enregistrer les réglages des démarches' }).click();
  await expect(page.locator('[role=status]')).toContainText('Catalogue enregistré');
  await checkA11y(page, '/structure/catalogue after a save');
});
