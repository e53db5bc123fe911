import {
  useMutation,
  useQueries,
  useQuery,
  useQueryClient,
  type Query,
  type UseMutationResult,
  type UseQueryResult,
} from '@tanstack/react-query'
import { ApiError, type ApiClient, type QueryParams } from './apiClient.ts'
import { useSignedIn } from './SessionProvider.tsx'

/** What a widget renders: Panel turns loading and error into the same states everywhere. */
export type QueryState<T> =
  { status: 'loading' } | { status: 'error'; error: ApiError } | { status: 'success'; data: T }

/** Queries are keyed by API path first, so a mutation can invalidate everything under a path. */
type ApiQueryKey = readonly [path: string, params: unknown]

function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, 'unknown', String(error))
}

/** The TanStack result as the three states widgets know; a disabled query waits as loading. */
export function toQueryState<T>(result: UseQueryResult<T, ApiError>): QueryState<T> {
  if (result.status === 'success') return { status: 'success', data: result.data }
  if (result.status === 'error') return { status: 'error', error: asApiError(result.error) }
  return { status: 'loading' }
}

/** The same state over a derived answer, e.g. one list of a larger answer for a Panel of its own. */
export function mapQueryState<T, U>(state: QueryState<T>, derive: (data: T) => U): QueryState<U> {
  return state.status === 'success' ? { status: 'success', data: derive(state.data) } : state
}

interface ApiQueryOptions {
  /** Keep showing the previous answer while a new one loads (a live figure that should not flash). */
  keepPrevious?: boolean
}

/** GETs path with params for the signed-in key; path null waits (e.g. until a merchant is chosen). */
export function useApiQuery<T>(path: string | null, params: QueryParams = {}): QueryState<T> {
  const { client } = useSignedIn()
  const key: ApiQueryKey = [path ?? '', params]
  const result = useQuery<T, ApiError, T, ApiQueryKey>({
    queryKey: key,
    queryFn: ({ signal }) => client.get<T>(path ?? '', params, signal),
    enabled: path !== null,
  })
  return toQueryState(result)
}

/**
 * Several GETs as one state (e.g. the stores of each chosen merchant): an error if any failed, the answers
 * in order once all arrived. enabled false waits.
 */
export function useApiQueries<T>(
  requests: readonly { path: string; params?: QueryParams }[],
  enabled = true,
): QueryState<T[]> {
  const { client } = useSignedIn()
  return useQueries({
    queries: requests.map(({ path, params = {} }) => ({
      queryKey: [path, params] as ApiQueryKey,
      queryFn: ({ signal }: { signal: AbortSignal }) => client.get<T>(path, params, signal),
      enabled,
    })),
    combine: (results): QueryState<T[]> => {
      const failed = results.find((result) => result.status === 'error')
      if (failed) return { status: 'error', error: asApiError(failed.error) }
      if (results.every((result) => result.status === 'success'))
        return { status: 'success', data: results.map((result) => result.data as T) }
      return { status: 'loading' }
    },
  })
}

/**
 * An answer that is read with a POST body (e.g. a preview computed from rules); cached by path and body like
 * a GET. body null waits.
 */
export function useApiPostQuery<Body, T>(
  path: string,
  body: Body | null,
  options: ApiQueryOptions = {},
): QueryState<T> & { refreshing: boolean } {
  const { client } = useSignedIn()
  const key: ApiQueryKey = [path, body]
  const result = useQuery<T, ApiError, T, ApiQueryKey>({
    queryKey: key,
    queryFn: ({ signal }) => client.send<T>('POST', path, body, signal),
    enabled: body !== null,
    placeholderData: options.keepPrevious ? (previous) => previous : undefined,
  })
  return { ...toQueryState(result), refreshing: result.isFetching }
}

/** Marks every cached answer under these path prefixes stale; the ones on screen are asked for again. */
export function useInvalidate(): (prefixes: readonly string[]) => Promise<void> {
  const queryClient = useQueryClient()
  return (prefixes) =>
    queryClient.invalidateQueries({
      predicate: (query: Query) => {
        const path = query.queryKey[0]
        return typeof path === 'string' && prefixes.some((prefix) => path.startsWith(prefix))
      },
    })
}

interface ApiMutationOptions<Input, Output> {
  /** Path prefixes whose cached answers this change makes stale, e.g. ['/api/v1/segments']. */
  invalidates: readonly string[] | ((input: Input, output: Output) => readonly string[])
}

/**
 * A change through the API (save, rename, delete, upload): `request` does the call with the session's
 * client; on success the answers it affects are invalidated, so lists and sizes on screen update. The
 * error is the server's ApiError (code and message), for the form to show next to its fields.
 */
export function useApiMutation<Input, Output>(
  request: (client: ApiClient, input: Input) => Promise<Output>,
  { invalidates }: ApiMutationOptions<Input, Output>,
): UseMutationResult<Output, ApiError, Input> {
  const { client } = useSignedIn()
  const invalidate = useInvalidate()
  return useMutation<Output, ApiError, Input>({
    mutationFn: async (input) => {
      try {
        return await request(client, input)
      } catch (error) {
        throw asApiError(error)
      }
    },
    onSuccess: (output, input) =>
      invalidate(typeof invalidates === 'function' ? invalidates(input, output) : invalidates),
  })
}
