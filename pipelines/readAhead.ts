/**
 * Iterates `source` one item ahead: as soon as an item is handed out, the next one is being produced, so
 * reading and cutting the next chunk of a body (JavaScript on the event loop) overlaps the engine's work
 * on the current one. Holds at most one extra item; a failure of the next item surfaces when it is due.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]()
  let next = iterator.next()
  try {
    for (;;) {
      const item = await next
      if (item.done) return
      next = iterator.next()
      // Observed when its turn comes; until then its failure must not count as unhandled.
      next.catch(() => undefined)
      yield item.value
    }
  } finally {
    await iterator.return?.()
  }
}
