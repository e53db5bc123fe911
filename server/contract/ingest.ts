/** Contract of the ingestion routes (DESIGN.md section 4). */
import { z } from 'zod'
import type { Endpoint } from './foundation.ts'

export const IngestKind = z.enum(['transactions', 'stores', 'weather', 'fx-rates'])
export type IngestKind = z.infer<typeof IngestKind>

export const IngestFormat = z.enum(['csv', 'ndjson', 'arrow', 'parquet'])
export type IngestFormat = z.infer<typeof IngestFormat>

/** Content-Type of a request body to the format that parses it. */
export const ingestMediaTypes = {
  'text/csv': 'csv',
  'application/x-ndjson': 'ndjson',
  'application/vnd.apache.arrow.stream': 'arrow',
  'application/vnd.apache.parquet': 'parquet',
} as const satisfies Record<string, IngestFormat>

/** The format a file name implies, looking through a .gz suffix; undefined when the name says nothing. */
export function formatOfFileName(name: string): IngestFormat | undefined {
  const base = name.toLowerCase().replace(/\.gz$/, '')
  if (base.endsWith('.csv')) return 'csv'
  if (base.endsWith('.ndjson') || base.endsWith('.jsonl') || base.endsWith('.json')) return 'ndjson'
  if (base.endsWith('.arrow') || base.endsWith('.arrows')) return 'arrow'
  if (base.endsWith('.parquet')) return 'parquet'
  return undefined
}

/** The longest `?source=` an ingest request may name its batch by. */
const sourceChars = 255
/** What a batch's source may not hold (it is shown in the ledger and the Data page). */
const controlCharacters = /\p{Cc}/gu

/** A file's name made fit to name its batch (`?source=`): control characters dropped, at most 255 left. */
export const sourceOfFileName = (name: string): string =>
  name.replace(controlCharacters, '').slice(0, sourceChars)

export const IngestQuery = z.object({
  mapping: z.string().max(200).optional().describe('A named mapping preset, e.g. maven-coffee'),
  source: z
    .string()
    .min(1)
    .max(sourceChars)
    .refine((s) => s.search(controlCharacters) === -1, 'must not hold control characters')
    .optional()
    .describe("What the batch came from, shown in the ledger, e.g. a file's name (default: http)"),
})
export type IngestQuery = z.infer<typeof IngestQuery>

/** The ledger of one load: received = inserted + duplicates + rejected, always. */
export const BatchLedger = z.object({
  batchId: z.string(),
  kind: IngestKind,
  format: IngestFormat.or(z.literal('generated')).describe(
    'generated: made inside the engine (the demo data set)',
  ),
  source: z.string(),
  status: z.enum(['running', 'done', 'failed']),
  received: z.number().int(),
  inserted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.number().int(),
  error: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
})
export type BatchLedger = z.infer<typeof BatchLedger>

export const BatchList = z.object({ rows: z.array(BatchLedger) })
export type BatchList = z.infer<typeof BatchList>

export const RejectedRow = z.object({
  lineNo: z.number().int(),
  merchantId: z.string(),
  reason: z
    .string()
    .describe('e.g. bad_timestamp, missing_field, unknown_currency, card_number, unknown_store'),
  field: z.string(),
  message: z.string(),
  raw: z.string().describe('The row as received, card numbers masked'),
})
export type RejectedRow = z.infer<typeof RejectedRow>

export const RejectList = z.object({ batchId: z.string(), rows: z.array(RejectedRow) })
export type RejectList = z.infer<typeof RejectList>

export const MappingPreset = z.object({ name: z.string(), kind: IngestKind, description: z.string() })
export type MappingPreset = z.infer<typeof MappingPreset>
export const MappingList = z.object({ rows: z.array(MappingPreset) })
export type MappingList = z.infer<typeof MappingList>

/** How fresh each source is: newest event time in the data and when it was last loaded. */
export const Freshness = z.object({
  rows: z.array(
    z.object({
      source: IngestKind,
      merchantId: z.string().nullable(),
      rows: z.number().int(),
      newestEventAt: z.string().nullable(),
      lastLoadedAt: z.string().nullable(),
    }),
  ),
})
export type Freshness = z.infer<typeof Freshness>

export const ingestEndpoints = [
  {
    method: 'post',
    path: '/api/v1/ingest/{kind}',
    summary: 'Load a body of rows (CSV, NDJSON, Arrow IPC stream, Parquet; gzip accepted) as one batch',
    roles: ['admin', 'merchant'],
    query: IngestQuery,
    bodyMediaTypes: Object.keys(ingestMediaTypes),
    response: BatchLedger,
  },
  {
    method: 'get',
    path: '/api/v1/ingest/batches',
    summary: 'Recent batches with their ledger',
    roles: ['admin', 'merchant'],
    response: BatchList,
  },
  {
    method: 'get',
    path: '/api/v1/ingest/batches/{batchId}/rejects',
    summary: 'Rejected rows of a batch with their reasons',
    roles: ['admin', 'merchant'],
    response: RejectList,
  },
  {
    method: 'get',
    path: '/api/v1/ingest/mappings',
    summary: 'Mapping presets',
    roles: ['admin', 'merchant'],
    response: MappingList,
  },
  {
    method: 'get',
    path: '/api/v1/ingest/freshness',
    summary: 'Data freshness per source',
    roles: ['admin', 'merchant'],
    response: Freshness,
  },
] as const satisfies readonly Endpoint[]
