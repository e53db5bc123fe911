import { QueryClient } from '@tanstack/react-query'
import { ApiError } from './apiClient.ts'

/**
 * The cache of one signed-in session (a new key starts empty). Answers stay fresh for five minutes, so the
 * back button and repeated views render at once, and are asked for again after that, so a long session sees
 * new loads. Only a network failure is retried: a 4xx answer will not change, and a 401 ends the session.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 5 * 60_000,
        gcTime: 30 * 60_000,
        refetchOnWindowFocus: false,
        retry: (failures, error) => error instanceof ApiError && error.status === 0 && failures < 1,
      },
    },
  })
}
