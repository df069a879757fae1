import { expect, test, type Page } from '@playwright/test';

// The page has hydrated once the wasm has marked <body>. Pages are rendered
// on the server; only islands (forms that act) run in the browser, and
// moving between pages is a plain page load.
async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 20_000 });
}

async function columnTexts(page: Page, column: string): Promise<string[]> {
  return page.locator(`table.errors tbody td.${column}`).allInnerTexts();
}

test('campaigns list, Errors tab, filters and paging', async ({ page }) => {
  const consoleErrors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(err.message));

  await page.goto('/');
  await hydrated(page);
  const campaignRows = page.locator('tr.campaign-row');
  await expect(campaignRows).toHaveCount(8);

  await campaignRows.first().locator('td.name a').click();
  await expect(page).toHaveURL(/\/campaigns\/\d+$/);
  await expect(page.locator('.figures')).toContainText('Bounce rate');

  await page.locator('nav.tabs a', { hasText: 'Errors' }).click();
  await expect(page).toHaveURL(/\/campaigns\/\d+\/errors$/);
  const rows = page.locator('table.errors tbody tr.error-row');
  await expect(rows).toHaveCount(50);
  const firstPage = await columnTexts(page, 'recipient');

  // Filter by stage.
  await page.locator('select[name="stage"]').selectOption('rcpt_to');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/stage=rcpt_to/);
  await expect(rows.first()).toBeVisible();
  const stages = await columnTexts(page, 'stage');
  expect(stages.length).toBeGreaterThan(0);
  expect(new Set(stages)).toEqual(new Set(['RCPT TO']));

  // Narrow to one receiving domain as well.
  await page.locator('input[name="domain"]').fill('gmail.com');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/domain=gmail.com/);
  await expect(page).toHaveURL(/stage=rcpt_to/);
  const recipients = await columnTexts(page, 'recipient');
  expect(recipients.length).toBeGreaterThan(0);
  for (const r of recipients) expect(r).toMatch(/@gmail\.com$/);

  // Clear, then page forward and back.
  await page.getByRole('link', { name: 'Clear' }).click();
  await expect(page).toHaveURL(/\/errors$/);
  await expect(rows).toHaveCount(50);
  expect(await columnTexts(page, 'recipient')).toEqual(firstPage);

  await page.getByRole('link', { name: 'Older ›' }).click();
  await expect(page).toHaveURL(/after=/);
  await expect(rows.first()).toBeVisible();
  const secondPage = await columnTexts(page, 'recipient');
  expect(secondPage).not.toEqual(firstPage);

  await page.getByRole('link', { name: '‹ Newer' }).click();
  await expect(page).toHaveURL(/before=/);
  await expect.poll(() => columnTexts(page, 'recipient')).toEqual(firstPage);

  // The back button returns to page two: the position lives in the URL.
  await page.goBack();
  await expect(page).toHaveURL(/after=/);
  await expect.poll(() => columnTexts(page, 'recipient')).toEqual(secondPage);

  // A row opens the detail view with the remote server's whole text.
  await rows.first().locator('td.time a').click();
  await expect(page).toHaveURL(/\/errors\/\d+\?after=/);
  await expect(page.locator('h2', { hasText: "The remote server's whole text" })).toBeVisible();
  await expect(page.locator('pre.diagnostic-full')).not.toBeEmpty();
  await page.getByRole('link', { name: '‹ Back to the errors' }).click();
  await expect(page).toHaveURL(/\/errors\?after=/);
  await expect.poll(() => columnTexts(page, 'recipient')).toEqual(secondPage);

  await page.screenshot({ path: 'end2end/output/errors-tab.png', fullPage: true });
  expect(consoleErrors.filter((e) => !e.includes('favicon'))).toEqual([]);
});

test('the Errors tab works without JavaScript', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();

  await page.goto('/');
  // The oldest campaign: typo domains fail there before the policy suppresses them.
  const href = await page.locator('tr.campaign-row td.rate a').last().getAttribute('href');
  expect(href).toMatch(/\/campaigns\/\d+\/errors$/);
  await page.goto(`${href}?stage=dns`);

  const stages = await page.locator('table.errors tbody td.stage').allInnerTexts();
  expect(stages.length).toBeGreaterThan(0);
  expect(new Set(stages)).toEqual(new Set(['DNS lookup']));
  await expect(page.locator('select[name="stage"]')).toHaveValue('dns');
  // The form submits as a plain GET without JavaScript.
  await page.locator('select[name="stage"]').selectOption('');
  await page.locator('input[name="q"]').fill('Host not found');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/q=Host\+not\+found/);
  const texts = await page.locator('table.errors tbody td.text').allInnerTexts();
  expect(texts.length).toBeGreaterThan(0);
  for (const t of texts) expect(t).toContain('Host not found');
  await context.close();
});

test('an Errors tab loaded directly hydrates and its links keep the filters', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto('/');
  const href = await page.locator('tr.campaign-row td.rate a').nth(1).getAttribute('href');

  // Loaded directly: the server's
  // HTML for this page must match what the wasm expects, or hydration fails.
  await page.goto(`${href}?stage=rcpt_to&code=5`);
  await hydrated(page);
  await expect(page.locator('select[name="stage"]')).toHaveValue('rcpt_to');
  await expect(page.locator('input[name="code"]')).toHaveValue('5');

  await page.locator('table.errors tbody td.time a').first().click();
  await expect(page).toHaveURL(/\/errors\/\d+\?stage=rcpt_to&code=5$/);
  await expect(page.locator('pre.diagnostic-full')).not.toBeEmpty();
  await page.locator('.topbar nav a', { hasText: 'Campaigns' }).click();
  await expect(page.locator('tr.campaign-row')).toHaveCount(8);

  expect(pageErrors).toEqual([]);
});
