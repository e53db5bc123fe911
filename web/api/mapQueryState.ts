import type { QueryState } from './useApiQuery.ts'

/** The same loading or error state, or the answer reshaped for a widget (e.g. given the rows a Panel lists). */
export function mapQueryState<T, U>(state: QueryState<T>, shape: (data: T) => U): QueryState<U> {
  return state.status === 'success' ? { status: 'success', data: shape(state.data) } : state
}
