import { useEffect, useState } from 'react'
import { ApiError, buildUrl, type QueryParams } from './apiClient.ts'
import { useSignedIn } from './SessionProvider.tsx'

export type QueryState<T> =
  { status: 'loading' } | { status: 'error'; error: ApiError } | { status: 'success'; data: T }

/** Older answers are still shown at once but asked for again, so a long session sees new loads. */
const freshForMs = 5 * 60_000

/**
 * GETs path with params for the signed-in key; path null waits (e.g. until a merchant is chosen).
 * Answers are cached per session by URL, so the back button and repeated views render at once.
 */
export function useApiQuery<T>(path: string | null, params: QueryParams = {}, refreshKey = 0): QueryState<T> {
  const { client, cache, inflight } = useSignedIn()
  const target = path === null ? null : buildUrl(path, params)
  // refreshKey > 0 asks for a fresh answer (e.g. the batch list after an upload).
  const url = target === null ? null : refreshKey ? `${target}#${refreshKey}` : target
  const [state, setState] = useState<{ url: string | null; value: QueryState<T> }>({
    url: null,
    value: { status: 'loading' },
  })

  useEffect(() => {
    if (url === null) return
    const cached = cache.get(url)
    if (cached && Date.now() - cached.at < freshForMs) return
    let current = true
    let request = inflight.get(url) as Promise<T> | undefined
    if (!request) {
      request = client.get<T>(url.split('#')[0] ?? url)
      inflight.set(url, request)
      request.then(
        (data) => cache.set(url, { data, at: Date.now() }),
        () => undefined,
      )
      void request.finally(() => inflight.delete(url)).catch(() => undefined)
    }
    request.then(
      (data) => {
        if (current) setState({ url, value: { status: 'success', data } })
      },
      (err: unknown) => {
        if (!current) return
        const error = err instanceof ApiError ? err : new ApiError(0, 'unknown', String(err))
        setState({ url, value: { status: 'error', error } })
      },
    )
    return () => {
      current = false
    }
  }, [client, cache, inflight, url])

  if (url === null) return { status: 'loading' }
  const cached = cache.get(url)
  if (cached) return { status: 'success', data: cached.data as T }
  return state.url === url ? state.value : { status: 'loading' }
}
