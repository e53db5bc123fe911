import { ingestBench } from './ingestBench.ts'
import { runQueriesBench } from './queriesBench.ts'

/** `npm run bench -- <name> [flags]`: one entry per benchmark. */
const benches: Record<string, (args: string[]) => Promise<void>> = {
  ingest: ingestBench,
  queries: runQueriesBench,
}

const [name = '', ...args] = process.argv.slice(2)
const bench = benches[name]
if (!bench) {
  console.error(`usage: npm run bench -- <${Object.keys(benches).join('|')}> [--help]`)
  process.exitCode = 1
} else {
  bench(args).catch((err: unknown) => {
    console.error(err)
    process.exitCode = 1
  })
}
