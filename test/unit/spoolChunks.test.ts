import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { lineParts } from '../../pipelines/lineChunks.ts'
import { engineFormats, spoolChunks } from '../../pipelines/stageChunk.ts'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

async function* source(parts: string[]) {
  for (const p of parts) yield Buffer.from(p)
}

describe('spoolChunks', () => {
  it('writes each chunk to its own spool file as it arrives: the header, then exactly its records', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tillsight-spool-'))
    dirs.push(dir)
    const parts = ['id,v\n1,"a\n', 'b"\n2,c\n3,', 'd\n4,e']
    const chunks = []
    for await (const chunk of spoolChunks(lineParts(source(parts), 'csv', 8), engineFormats.csv, dir)) {
      chunks.push({
        header: chunk.header.toString(),
        body: Buffer.concat(chunk.body).toString(),
        file: fs.readFileSync((await chunk.file) ?? '', 'utf8'),
      })
    }
    expect(chunks).toEqual([
      { header: 'id,v\n', body: '1,"a\nb"\n2,c\n', file: 'id,v\n1,"a\nb"\n2,c\n' },
      { header: 'id,v\n', body: '3,d\n4,e\n', file: 'id,v\n3,d\n4,e\n' },
    ])
  })

  it('spools nothing without a spool directory (a remote server takes the bytes)', async () => {
    const chunks = []
    for await (const chunk of spoolChunks(
      lineParts(source(['{"a":1}\n']), 'ndjson', 8),
      engineFormats.ndjson,
      undefined,
    ))
      chunks.push(chunk)
    expect(chunks).toHaveLength(1)
    expect(chunks[0]?.file).toBeUndefined()
    expect(Buffer.concat(chunks[0]?.body ?? []).toString()).toBe('{"a":1}\n')
  })
})
