import os from 'node:os'
import { defineConfig } from 'vitest/config'
import { BaseSequencer, type TestSpecification } from 'vitest/node'

/**
 * Files that run several minutes: started first, so the rest of the suite runs beside them instead of
 * after them (on a fresh clone vitest has no timings yet and starts the largest files first).
 */
const longFiles = ['test/db/ingestKillPoints.test.ts']

class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files)
    const long = (file: TestSpecification) => longFiles.some((name) => file.moduleId.endsWith(name))
    return [...sorted.filter(long), ...sorted.filter((file) => !long(file))]
  }
}

/**
 * Two test files at a time even on two cores: a file waits on its engine's statements one after another
 * and used 0.87 of a core on average, so a second one beside it fills what the first leaves idle. On the
 * 2-core machine (2026-12-01) npm test took 560 s against 880 with vitest's default of one file (cores - 1).
 */
export const maxWorkers = Math.max(2, os.availableParallelism() - 1)

// The embedded engine is one per process: every test file runs in its own forked process.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/db/**/*.test.ts'],
    pool: 'forks',
    maxWorkers,
    sequence: { sequencer: LongFilesFirst },
    // Generous: two files share two cores, and a file's longest test (60 ranges checked against the lines)
    // took 60 s beside the kill-point test on the slow machine of 2026-12-01, 40 s alone.
    testTimeout: 240_000,
    hookTimeout: 120_000,
  },
})
