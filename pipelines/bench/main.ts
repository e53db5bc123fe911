/** `npm run bench -- <name> [flags]`: dispatches to one benchmark. */
import { runQueriesBench } from './queriesBench.ts'

const benches: Record<string, (argv: string[]) => Promise<void>> = {
  queries: runQueriesBench,
}

const [name, ...rest] = process.argv.slice(2)
const bench = name === undefined ? undefined : benches[name]
if (!bench) {
  console.error(`usage: npm run bench -- <${Object.keys(benches).join('|')}> [--help]`)
  process.exit(2)
}
bench(rest).catch((err: unknown) => {
  console.error(`bench ${name}: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})
