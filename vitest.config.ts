import { defineConfig } from 'vitest/config'

// The embedded engine is one per process: every test file runs in its own forked process.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/db/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})
