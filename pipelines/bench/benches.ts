import { concurrentIngestBench } from './concurrentIngestBench.ts'
import { httpLoadBench } from './httpLoadBench.ts'
import { runConcurrencyBench } from './concurrencyBench.ts'
import { ingestBench } from './ingestBench.ts'
import { runQueriesBench } from './queriesBench.ts'
import { runSegmentsBench } from './segmentsBench.ts'
import { runWalletBench } from './walletBench.ts'

/** Every benchmark by name; each takes its own flags (`--help`) and prints its figures. */
export const benches: Record<string, (args: string[]) => Promise<void>> = {
  ingest: ingestBench,
  'concurrent-ingest': concurrentIngestBench,
  'http-load': httpLoadBench,
  queries: runQueriesBench,
  segments: runSegmentsBench,
  wallet: runWalletBench,
  concurrency: runConcurrencyBench,
}
