import type { SegmentList } from '../../server/contract.ts'
import { useApiQuery } from './useApiQuery.ts'

/** Saved segments of every merchant the key may see, with their sizes. */
export const useSegments = () => useApiQuery<SegmentList>('/api/v1/segments')
