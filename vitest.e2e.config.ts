import { defineConfig } from 'vitest/config'

// Browser tests: each file starts the real server (with demo data) and a headless Chromium of its own.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
})
