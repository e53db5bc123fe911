import { randomBytes } from 'node:crypto'
import { SegmentRules } from '../contract.ts'
import type { Db } from '../db/createDb.ts'

/** A saved segment as stored (the newest version of its row), with its latest membership refresh. */
export interface SavedSegment {
  id: string
  merchantIds: string[]
  name: string
  rules: SegmentRules
  createdAt: string
  updatedAt: string
  /** Exact member count of the latest refresh (never shown as it is: see privateCount). */
  members: number | undefined
  asOf: string | undefined
  refreshedAt: string | undefined
}

interface SegmentRow {
  id: string
  merchantIds: string[]
  name: string
  rules: string
  createdAt: string
  updatedAt: string
  members: number
  asOf: string
  refreshedAt: string
  refreshed: number | boolean
}

/** ClickHouse DateTime64 text ('2026-11-30 04:55:01.123', UTC) as an ISO instant. */
const isoInstant = (text: string) => text.replace(' ', 'T') + 'Z'

function toSaved(row: SegmentRow): SavedSegment {
  const refreshed = Boolean(row.refreshed)
  return {
    id: row.id,
    merchantIds: row.merchantIds,
    name: row.name,
    rules: SegmentRules.parse(JSON.parse(row.rules)),
    createdAt: isoInstant(row.createdAt),
    updatedAt: isoInstant(row.updatedAt),
    members: refreshed ? row.members : undefined,
    asOf: refreshed ? row.asOf : undefined,
    refreshedAt: refreshed ? isoInstant(row.refreshedAt) : undefined,
  }
}

/**
 * Live segments (newest version, not deleted) with the newest membership refresh of each. `visible`
 * limits them to segments whose every merchant the key may see (undefined: all, for admin keys);
 * `ids` to those segments.
 */
export async function listSavedSegments(
  db: Db,
  filter: { visible?: string[] | undefined; ids?: string[] } = {},
): Promise<SavedSegment[]> {
  const result = await db.client.query({
    query: `
      SELECT s.segment_id AS id, s.merchant_ids AS merchantIds, s.name AS name, s.rules AS rules,
             toString(s.created_at) AS createdAt, toString(s.updated_at) AS updatedAt,
             m.members AS members, toString(m.last_as_of) AS asOf, toString(m.last_refresh) AS refreshedAt,
             m.segment_id != '' AS refreshed
      FROM (
        SELECT * FROM segments FINAL
        WHERE ({all:Bool} OR hasAll({visible:Array(String)}, merchant_ids))
          AND (empty({ids:Array(String)}) OR segment_id IN {ids:Array(String)})
      ) AS s
      LEFT JOIN (
        SELECT segment_id, argMax(size, refreshed_at) AS members, argMax(as_of, refreshed_at) AS last_as_of,
               max(refreshed_at) AS last_refresh
        FROM segment_members
        WHERE deleted = 0 AND (empty({ids:Array(String)}) OR segment_id IN {ids:Array(String)})
        GROUP BY segment_id
      ) AS m ON m.segment_id = s.segment_id
      ORDER BY s.created_at, s.segment_id`,
    query_params: { all: filter.visible === undefined, visible: filter.visible ?? [], ids: filter.ids ?? [] },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'listSavedSegments', join_use_nulls: 0 },
  })
  return (await result.json<SegmentRow>()).map(toSaved)
}

export async function findSavedSegment(
  db: Db,
  id: string,
  visible: string[] | undefined,
): Promise<SavedSegment | undefined> {
  const [segment] = await listSavedSegments(db, { visible, ids: [id] })
  return segment
}

/** Writes a new version of a segment; deleted = true removes it. Returns the version's timestamps. */
export async function writeSegmentVersion(
  db: Db,
  segment: Pick<SavedSegment, 'merchantIds' | 'name' | 'rules'> & { id?: string; createdAt?: string },
  options: { deleted?: boolean; after?: string } = {},
): Promise<{ id: string; createdAt: string; updatedAt: string }> {
  // Versions are ordered by updated_at: a change in the same millisecond as the last one goes 1 ms later.
  const last = options.after ? Date.parse(options.after) : 0
  const updatedAt = new Date(Math.max(Date.now(), last + 1)).toISOString()
  const id = segment.id ?? `seg_${randomBytes(8).toString('hex')}`
  const createdAt = segment.createdAt ?? updatedAt
  await db.client.insert({
    table: 'segments',
    format: 'JSONEachRow',
    values: [
      {
        merchant_id: segment.merchantIds[0] ?? '',
        segment_id: id,
        merchant_ids: segment.merchantIds,
        name: segment.name,
        rules: JSON.stringify(segment.rules),
        created_at: Date.parse(createdAt),
        updated_at: Date.parse(updatedAt),
        deleted: options.deleted ? 1 : 0,
      },
    ],
    clickhouse_settings: { insert_distributed_sync: 1 },
  })
  return { id, createdAt, updatedAt }
}
