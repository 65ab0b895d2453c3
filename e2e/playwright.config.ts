import { defineConfig, devices } from '@playwright/test';
import { existsSync } from 'node:fs';

// Debian's chromium when present; PLAYWRIGHT_CHROMIUM_EXECUTABLE overrides ('' forces Playwright's own).
const envExe = process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE;
const executablePath =
  envExe !== undefined ? envExe || undefined : existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
const DEV = !!process.env.E2E_DEV;
const PORT = DEV ? 5173 : 4173;

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  workers: 1,
  forbidOnly: !!process.env.CI,
  outputDir: '../test-results',
  timeout: 60_000,
  use: { baseURL: `http://127.0.0.1:${PORT}`, trace: 'retain-on-failure' },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        viewport: { width: 1280, height: 800 },
        launchOptions: {
          executablePath,
          args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
            '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
        },
      },
    },
  ],
  webServer: {
    command: `npx vite ${DEV ? 'dev' : 'preview'} --host 127.0.0.1 --port ${PORT} --strictPort`,
    cwd: '..',
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
