import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { IngestKind, type MappingPreset } from '../server/contract.ts'

const presetsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'mappings')

/**
 * A source column name as it appears in a file header or a JSON key. It becomes a quoted identifier of the
 * per-batch staging table, so backticks, backslashes and control characters are refused here, at the edge.
 */
export const SourceColumn = z
  .string()
  .regex(/^[^`\\\p{Cc}]{1,128}$/u, 'a column name without backticks, backslashes or control characters')
export type SourceColumn = z.infer<typeof SourceColumn>

/** Unit and shape conversions a mapping may apply; each is one fixed SQL expression (see columnSql.ts). */
export const Transform = z.enum(['fahrenheit_to_celsius', 'inches_to_mm', 'slug', 'coarse_coordinate'])
export type Transform = z.infer<typeof Transform>

/** Where a canonical column comes from: one source column, several joined with a space, or a constant. */
export const ColumnSource = z.union([
  SourceColumn,
  z
    .object({
      from: z.union([SourceColumn, z.array(SourceColumn).min(1).max(8)]),
      transform: Transform.optional(),
      /** Replaces each source value by the value listed for it (e.g. airport code -> latitude). */
      lookup: z.record(z.string(), z.string()).optional(),
    })
    .strict(),
  z.object({ constant: z.string().max(200) }).strict(),
])
export type ColumnSource = z.infer<typeof ColumnSource>

const StoreRow = z
  .object({
    store_id: z.string().min(1),
    name: z.string(),
    lat: z.number(),
    lon: z.number(),
    timezone: z.string().min(1),
    country: z.string().length(2),
    city: z.string(),
    currency: z.string().length(3),
  })
  .strict()

export const Mapping = z
  .object({
    name: z.string().regex(/^[a-z0-9-]{1,64}$/),
    kind: IngestKind,
    description: z.string().default(''),
    /** Canonical column -> where it comes from. Canonical columns not listed are read under their own name. */
    columns: z.record(z.string(), ColumnSource),
    /** Source columns deliberately not read: never staged, never stored (documentation and a guard). */
    ignore: z.array(SourceColumn).default([]),
    /** IANA zone of local timestamps whose store is not known (otherwise the store's zone is used). */
    timezone: z.string().optional(),
    /** Stores this layout refers to, upserted before the rows so their zone, country and currency apply. */
    stores: z.array(StoreRow).optional(),
  })
  .strict()
export type Mapping = z.infer<typeof Mapping>

export class MappingError extends Error {}

let shipped: Mapping[] | undefined

/** The shipped presets, by name; read and validated once per process (they ship with the code). */
export function listPresets(): Mapping[] {
  shipped ??= fs
    .readdirSync(presetsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => parseMapping(fs.readFileSync(path.join(presetsDir, f), 'utf8'), f))
  return shipped
}

export function presetSummaries(): MappingPreset[] {
  return listPresets().map(({ name, kind, description }) => ({ name, kind, description }))
}

/** A preset by name, or (CLI only) a mapping JSON file by path. The mapping must be for `kind`. */
export function resolveMapping(kind: IngestKind, nameOrPath: string, allowFiles = false): Mapping {
  const preset = listPresets().find((p) => p.name === nameOrPath)
  let mapping = preset
  if (!mapping && allowFiles && nameOrPath.endsWith('.json')) {
    if (!fs.existsSync(nameOrPath)) throw new MappingError(`mapping file ${nameOrPath} does not exist`)
    mapping = parseMapping(fs.readFileSync(nameOrPath, 'utf8'), nameOrPath)
  }
  if (!mapping) {
    const names = listPresets()
      .map((p) => p.name)
      .join(', ')
    throw new MappingError(`unknown mapping "${nameOrPath}"; presets: ${names}`)
  }
  if (mapping.kind !== kind) {
    throw new MappingError(`mapping ${mapping.name} is for ${mapping.kind}, not ${kind}`)
  }
  return mapping
}

export function parseMapping(text: string, origin: string): Mapping {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new MappingError(`mapping ${origin} is not valid JSON`)
  }
  const result = Mapping.safeParse(json)
  if (!result.success) {
    const issue = result.error.issues[0]
    throw new MappingError(
      `mapping ${origin}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    )
  }
  const ignored = new Set(result.data.ignore)
  for (const source of Object.values(result.data.columns)) {
    for (const column of sourceColumnsOf(source)) {
      if (ignored.has(column))
        throw new MappingError(`mapping ${origin}: column ${column} is both read and ignored`)
    }
  }
  return result.data
}

export function sourceColumnsOf(source: ColumnSource): string[] {
  if (typeof source === 'string') return [source]
  if ('constant' in source) return []
  return Array.isArray(source.from) ? source.from : [source.from]
}
