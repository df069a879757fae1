import { expect, test, type Locator, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// A marketer builds two selections in the browser, saves them, exports one
// (the downloaded file is parsed), suppresses it, and sees later sends to
// those addresses counted as rejected.

async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 20_000 });
}

const number = (text: string) => Number(text.replace(/[^\d]/g, ''));

/// The Origin a page of the dashboard sends with a change (the server
/// refuses changes riding on the session cookie without it: CSRF).
const sameOrigin = (page: Page) => ({ origin: new URL(page.url()).origin });

/// What the API counts for the definition the builder shows now.
async function apiCount(page: Page): Promise<number> {
  const definition = await page.locator('textarea[name="definition"]').inputValue();
  const answer = await page.request.post('/api/v1/selections/count', { data: definition, headers: sameOrigin(page) });
  expect(answer.ok()).toBeTruthy();
  return (await answer.json()).count;
}

async function build(page: Page, name: string, fill: (condition: Locator) => Promise<void>, expectJson: RegExp) {
  await page.goto('/selections/new');
  await hydrated(page);
  const condition = page.locator('.condition').first();
  await fill(condition);
  await page.locator('details.json summary').click();
  await expect(page.locator('textarea[name="definition"]')).toHaveValue(expectJson);
  // The live count follows the edits: it settles on what the API counts.
  const expected = await apiCount(page);
  await expect(page.locator('.preview .selection-count')).toHaveText(expected.toLocaleString('en-US'));
  await page.locator('input[name="name"]').fill(name);
  await page.getByRole('button', { name: 'Save selection' }).click();
  await expect(page).toHaveURL(/\/selections\/\d+$/);
  return expected;
}

/// RFC 4180 records, honouring quotes (a diagnostic may hold `;`, quotes and line breaks).
function parseCsv(text: string, delimiter: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  return records;
}

test('build, save, export and suppress selections; later sends are rejected', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));

  const repeat = await build(
    page,
    'Repeat hard bouncers',
    async (c) => {
      await c.locator('select[name="kind"]').selectOption('consecutive');
      await c.locator('select[name="class"]').selectOption('hard');
      await c.locator('input[name="at_least"]').fill('3');
    },
    /"consecutive":\{"at_least":3,"class":"hard"\}|"consecutive":\{"class":"hard","at_least":3\}/,
  );
  expect(repeat).toBeGreaterThan(0);

  // "Since September": the first day of the month three months back, so
  // the demo's six months always hold it.
  const since = new Date();
  since.setUTCDate(1);
  since.setUTCMonth(since.getUTCMonth() - 3);
  const sinceDay = since.toISOString().slice(0, 10);
  await build(
    page,
    `Soft-bounced 3 times since ${sinceDay}`,
    async (c) => {
      await c.locator('select[name="class"]').selectOption('soft');
      await c.locator('input[name="at_least"]').fill('3');
      await c.locator('input[name="since"]').fill(sinceDay);
    },
    new RegExp(`"since":"${sinceDay}T00:00:00\\+00:00"`),
  );

  // Both are listed with their counts, evaluated on open.
  await page.goto('/selections');
  await hydrated(page);
  const row = page.locator('tr.selection-row[data-name="Repeat hard bouncers"]');
  await expect(page.locator('tr.selection-row')).toHaveCount(2);
  await expect(row.locator('td.count')).toHaveText(repeat.toLocaleString('en-US'));

  // Export for Excel with semicolons; parse what was downloaded.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    row.getByRole('link', { name: 'CSV (;)' }).click(),
  ]);
  const file = readFileSync(await download.path());
  expect([...file.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const records = parseCsv(file.subarray(3).toString('utf8'), ';');
  expect(records[0]).toEqual([
    'email', 'campaign', 'last_failure_at', 'stage', 'reply_code', 'status', 'diagnostic',
    'reason', 'category', 'class', 'failures',
  ]);
  expect(records.length - 1).toBe(repeat);
  for (const r of records.slice(1)) {
    expect(r).toHaveLength(11);
    expect(r[0]).toMatch(/^[^@\s]+@[^@\s]+$/);
    expect(r[9]).toBe('hard');
    expect(Number(r[10])).toBeGreaterThanOrEqual(3);
    expect(r[6]).not.toMatch(/^[=+\-@]/);
  }

  // Suppress them.
  await row.locator('input[name="reason"]').fill('3 hard bounces in a row');
  await row.getByRole('button', { name: 'Suppress' }).click();
  await expect(page.locator('.notice')).toContainText(`${repeat.toLocaleString('en-US')} contacts suppressed.`);

  // The next campaign goes out: those addresses are refused, not attempted.
  await page.goto('/');
  await hydrated(page);
  const before = await page.locator('tr.campaign-row').count();
  execFileSync(
    process.env.BOUNCEDESK_BIN!,
    ['demo', '--add-campaign', '--database-url', 'sqlite://end2end/output/e2e.db', '--campaigns', '8',
      '--contacts', '4000', '--seed', '7'],
    { cwd: process.cwd(), stdio: 'pipe' },
  );
  await page.reload();
  await hydrated(page);
  await expect(page.locator('tr.campaign-row')).toHaveCount(before + 1);
  const newest = page.locator('tr.campaign-row').first();
  const rejected = number(await newest.locator('td.num').nth(5).innerText());
  expect(rejected).toBeGreaterThan(0);
  // Every contact that was suppressed is still in the selection (a refused
  // send is no attempt), and its latest failure is older than the new campaign.
  const sentOn = (await newest.locator('td').nth(1).innerText()).trim();
  const after = await page.request.post('/api/v1/selections/export?format=jsonl', {
    data: JSON.stringify({ in_selection: 'Repeat hard bouncers' }),
    headers: sameOrigin(page),
  });
  const latest = new Map<string, string>();
  for (const line of (await after.text()).trim().split('\n')) {
    const row = JSON.parse(line);
    latest.set(row.email, row.last_failure_at);
  }
  for (const r of records.slice(1)) {
    expect(latest.has(r[0])).toBeTruthy();
    expect(latest.get(r[0])!.slice(0, 10) < sentOn).toBeTruthy();
  }
  expect(errors).toEqual([]);
});
