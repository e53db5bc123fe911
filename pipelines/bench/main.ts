import { benches } from './benches.ts'

/** `npm run bench -- <name> [flags]` (also `npm run cli -- bench <name> [flags]`). */
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
