import { test, expect, type Locator, type Page } from '@playwright/test';
import { DEMO, DEMO_PASSWORD, checkA11y, signIn, uniqueSuffix } from './helpers';

// The one-minute intake, by keyboard alone, with every key press counted.

class Keys {
  count = 0;
  tabs = 0;
  constructor(private page: Page) {}
  async press(key: string, times = 1): Promise<void> {
    for (let i = 0; i < times; i++) {
      await this.page.keyboard.press(key);
      this.count++;
      if (key === 'Tab') {
        this.tabs++;
      }
    }
  }
  async type(text: string): Promise<void> {
    for (const ch of text) {
      await this.page.keyboard.type(ch);
      this.count++;
    }
  }
  /** Tab until `target` has focus; fails after `max` presses. */
  async tabTo(target: Locator, max = 12): Promise<void> {
    for (let i = 0; i < max; i++) {
      await this.press('Tab');
      if (await target.evaluate((el) => el === document.activeElement)) {
        return;
      }
    }
    const focused = await this.page.evaluate(() => document.activeElement?.outerHTML.slice(0, 160) ?? 'none');
    throw new Error(`${target} not reached in ${max} Tabs; focus is on ${focused}`);
  }
}

async function focused(page: Page, target: Locator): Promise<void> {
  await expect.poll(() => target.evaluate((el) => el === document.activeElement)).toBe(true);
}

/** Chooses a procedure in the picker: a few letters, down arrow, Enter. */
async function pickProcedure(page: Page, keys: Keys, letters: string, title: RegExp): Promise<void> {
  await keys.type(letters);
  const option = page.getByRole('option', { name: title }).first();
  await expect(option).toBeVisible();
  // The option's place in the list: down arrow that many times.
  const options = page.locator('#procedure-options [role=option]');
  const texts = await options.allTextContents();
  const index = texts.findIndex((t) => title.test(t));
  expect(index, `${title} among ${texts.join(' | ')}`).toBeGreaterThanOrEqual(0);
  await keys.press('ArrowDown', index + 1);
  await keys.press('Enter');
  await expect(page.locator('#procedure')).toHaveValue(title);
  await expect(page.locator('#category')).not.toHaveValue('');
}

test('an existing person walks in: a request with a follow-up in at most 60 key presses', async ({ page }) => {
  await signIn(page, DEMO.agent, DEMO_PASSWORD);
  await page.goto('/intake');
  const keys = new Keys(page);
  // The person search has the focus.
  await focused(page, page.locator('#q'));
  await keys.type('lefevre helene');
  const person = page.locator('#search-results input[name="person_id"]').first();
  await expect(person).toBeVisible();
  await keys.tabTo(person, 3);
  await keys.press('Space');
  await expect(person).toBeChecked();
  // "Démarche" within three Tabs of the person.
  await keys.tabTo(page.locator('#procedure'), 3);
  await pickProcedure(page, keys, 'apl', /aide au logement/i);
  // "Faire avec": the first Tab into the group lands on "Faire pour".
  await keys.tabTo(page.locator('input[name="mode"][value="done_for"]'), 6);
  await keys.press('ArrowDown');
  await expect(page.locator('input[name="mode"][value="done_with"]')).toBeChecked();
  // A reminder in a week, with a usual reason.
  await keys.tabTo(page.locator('#follow_up_in'), 8);
  await keys.press('ArrowDown');
  await expect(page.locator('#follow_up_date')).not.toHaveValue('');
  await keys.tabTo(page.locator('#follow_up_reason'), 2);
  if ((await page.locator('#follow_up_reason').inputValue()) === '') {
    await keys.type('Rappeler');
  }
  await keys.press('Enter');
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}\?done=request-recorded/);
  await expect(page.locator('main')).toContainText('Faire avec');
  await expect(page.locator('main')).toContainText(/logement/i);
  console.log(`KEYS existing person: ${keys.count} presses (${keys.tabs} Tab)`);
  expect(keys.count).toBeLessThanOrEqual(60);
});

test('a new person: the name searched is carried over, a request with a follow-up in at most 90 key presses', async ({ page }) => {
  await signIn(page, DEMO.agent, DEMO_PASSWORD);
  await page.goto('/intake');
  const keys = new Keys(page);
  const last = `Durand${uniqueSuffix().replace(/[0-9]/g, 'x')}`;
  await focused(page, page.locator('#q'));
  await keys.type(`Martine ${last}`);
  // Nobody found: "new person", with the names typed.
  await expect(page.locator('#no-result')).toBeVisible();
  await expect(page.locator('#mode-new')).toBeChecked();
  await expect(page.locator('#first_name')).toHaveValue('Martine');
  await expect(page.locator('#last_name')).toHaveValue(last);
  // The anonymous block is not shown.
  await expect(page.locator('#anon_age_bracket')).toBeHidden();
  await keys.tabTo(page.locator('#birth_year'), 6);
  await keys.type('1958');
  await keys.tabTo(page.locator('#postcode'), 1);
  await keys.type('69100');
  await expect(page.locator('#commune')).toHaveValue(/Villeurbanne/);
  await keys.tabTo(page.locator('#privacy_notice'), 3);
  await keys.press('Space');
  await keys.tabTo(page.locator('#procedure'), 3);
  await pickProcedure(page, keys, 'rsa', /Demander le RSA/);
  await keys.tabTo(page.locator('input[name="mode"][value="done_for"]'), 6);
  await keys.press('ArrowDown');
  await keys.tabTo(page.locator('#follow_up_in'), 8);
  await keys.press('ArrowDown', 2);
  await keys.tabTo(page.locator('#follow_up_reason'), 2);
  if ((await page.locator('#follow_up_reason').inputValue()) === '') {
    await keys.type('Apporter le RIB');
  }
  await keys.press('Enter');
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}\?done=request-recorded/);
  await expect(page.locator('main')).toContainText(last.toUpperCase());
  console.log(`KEYS new person: ${keys.count} presses (${keys.tabs} Tab)`);
  expect(keys.count).toBeLessThanOrEqual(90);
});

test('"Autre durée": typing selects "Autre"; contradictory values are refused with the field named', async ({ page }) => {
  await signIn(page, DEMO.agent, DEMO_PASSWORD);
  await page.goto('/intake');
  await page.locator('#duration_other').fill('20');
  await expect(page.locator('#duration_other_choice')).toBeChecked();
  // Without the page's script the two can disagree: the server refuses.
  await page.locator('input[name="duration_minutes"][value="30"]').evaluate((el: HTMLInputElement) => { el.checked = true; });
  await page.locator('#mode-anonymous').check();
  await page.locator('#procedure').fill('Question sur un courrier');
  await page.locator('#category').selectOption('social');
  await page.locator('input[name="mode"][value="informed"]').check();
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await expect(page.locator('#form-errors')).toContainText('Durée');
  await expect(page.locator('#form-errors')).toContainText('Deux durées différentes');
  await checkA11y(page, '/intake with a contradictory duration');
  // The error summary names each field, and a too-long text gives its limit.
  await page.locator('#duration_other').fill('');
  await page.locator('input[name="duration_minutes"][value="20"]').check();
  // The browser's own checks (a date before today) are set aside, as
  // a script or an old browser would.
  await page.locator('#intake-form').evaluate((f: HTMLFormElement) => { f.noValidate = true; });
  await page.locator('#summary').fill('x'.repeat(4001));
  await page.locator('#follow_up_date').fill('2020-01-01');
  await page.locator('#follow_up_reason').fill('Rappeler la personne');
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await expect(page.locator('#form-errors')).toContainText(/Ce qui a été fait\s*: Trop long : \d+ caractères au plus/);
  await expect(page.locator('#form-errors')).toContainText(/Date de suivi\s*: Cette date est passée/);
});
