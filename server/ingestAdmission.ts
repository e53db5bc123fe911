/**
 * Admission of ingest batches: at most `concurrent` run at once, because a running text batch holds about
 * ten times INGEST_CHUNK_BYTES at its peak, so the server's memory is bounded by the slots, not by how many
 * clients load at once. A further batch waits its turn (first come, first served) for at most waitMs; then
 * it is turned away, and the client is told to retry (503 with Retry-After).
 */
export function createIngestAdmission({ concurrent, waitMs }: { concurrent: number; waitMs: number }) {
  let running = 0
  const waiting: (() => void)[] = []

  const release = () => {
    const next = waiting.shift()
    if (next) next()
    else running--
  }

  return {
    /** Resolves with the release of a slot, or undefined when none freed within waitMs. */
    admit(): Promise<(() => void) | undefined> {
      if (running < concurrent) {
        running++
        return Promise.resolve(once(release))
      }
      return new Promise((resolve) => {
        // A freed slot passes straight to the waiter, so `running` stays as it is.
        const take = () => {
          clearTimeout(timer)
          resolve(once(release))
        }
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(take), 1)
          resolve(undefined)
        }, waitMs)
        waiting.push(take)
      })
    },
  }
}
export type IngestAdmission = ReturnType<typeof createIngestAdmission>

function once(fn: () => void): () => void {
  let done = false
  return () => {
    if (done) return
    done = true
    fn()
  }
}
