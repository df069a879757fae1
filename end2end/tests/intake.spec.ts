import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';

// A marketer uploads a mail server's log and follows its import; makes an
// API token, sees it once, and revokes it.

// `make e2e` runs Playwright from the project's root.
const fixtures = join(process.cwd(), 'server', 'tests', 'fixtures');

async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 20_000 });
}

test('an uploaded Postfix log is imported and its results shown', async ({ page }) => {
  await page.goto('/imports');
  // Hydration re-renders the form: a file chosen before it may be lost.
  await hydrated(page);
  await page.locator('input[type="file"][name="file"]').setInputFiles(join(fixtures, 'postfix', 'maillog'));
  await page.locator('select[name="format"]').selectOption('auto');

  await page.getByRole('button', { name: 'Import' }).click();

  await expect(page).toHaveURL(/\/imports$/);
  const row = page.locator('tr.import-row').first();
  // The page reloads itself while the import runs.
  await expect(row).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(row.locator('td.name')).toContainText('maillog');
  await expect(row.locator('td.name .sub')).toHaveText('postfix');
  await expect(row.locator('td.stored')).toHaveText('9');
  // No campaign was chosen and a Postfix log names none: the results wait
  // on the Unlinked results page.
  await row.locator('a[href="/unlinked"]').click();
  await expect(page.locator('tr.unlinked-row td.recipient', { hasText: 'jan.devries@ziggo.nl' }).first()).toBeVisible();
});

test('a token is shown once, listed by its start, and revoked', async ({ page }) => {
  await page.goto('/settings/tokens');
  await hydrated(page);
  await page.locator('input[name="name"]').fill('Mailgun webhook');

  await page.getByRole('button', { name: 'Make a token' }).click();

  const secret = await page.locator('code.secret').innerText();
  expect(secret).toMatch(/^bd_[A-Za-z0-9_-]{43}$/);
  const answer = await page.request.post('/api/v1/events', {
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    data: '[]',
  });
  expect(answer.status()).toBe(200);
  await page.reload();
  const row = page.locator('tr.token-row', { hasText: 'Mailgun webhook' });
  await expect(row).toHaveAttribute('data-live', 'true');
  await expect(row.locator('code')).toContainText(secret.slice(0, 10));
  await expect(page.locator('body')).not.toContainText(secret);

  await row.getByRole('button', { name: 'Revoke' }).click();

  await expect(page.locator('tr.token-row', { hasText: 'Mailgun webhook' })).toHaveAttribute('data-live', 'false');
  const refused = await page.request.post('/api/v1/events', {
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    data: '[]',
  });
  expect(refused.status()).toBe(401);
});
