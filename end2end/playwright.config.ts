import { defineConfig } from '@playwright/test';

// Playwright from npm driving Debian's Chromium: a downloaded browser is
// impossible on our machines. The server is the debug build (`make e2e`
// builds it) with the release front end from target/site, on a fresh SQLite
// database filled with a small demo data set.
const port = Number(process.env.E2E_PORT ?? 3100);

export default defineConfig({
  testDir: 'tests',
  // Signs in once as each role; tests run as the admin unless they say otherwise.
  globalSetup: './global-setup.ts',
  outputDir: 'output/test-results',
  timeout: 60_000,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    storageState: 'end2end/output/state-admin.json',
    browserName: 'chromium',
    headless: true,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command: `bash end2end/serve.sh ${port}`,
    cwd: '..',
    url: `http://127.0.0.1:${port}/readyz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
