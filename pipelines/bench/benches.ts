import { runConcurrencyBench } from './concurrencyBench.ts'
import { ingestBench } from './ingestBench.ts'
import { runQueriesBench } from './queriesBench.ts'

/** Every benchmark by name; each takes its own flags (`--help`) and prints its figures. */
export const benches: Record<string, (args: string[]) => Promise<void>> = {
  ingest: ingestBench,
  queries: runQueriesBench,
  concurrency: runConcurrencyBench,
}
