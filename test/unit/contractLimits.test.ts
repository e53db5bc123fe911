import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { endpoints } from '../../server/contract.ts'

type JsonSchema = Record<string, unknown>

/** Paths in a JSON schema where a client could send something of unbounded size. */
function unbounded(schema: unknown, at: string): string[] {
  if (typeof schema !== 'object' || schema === null) return []
  const node = schema as JsonSchema
  const found: string[] = []
  if (node.type === 'array' && typeof node.maxItems !== 'number') found.push(`${at}: list without a maximum`)
  const bounded = typeof node.maxLength === 'number' || typeof node.pattern === 'string' || 'enum' in node
  if (node.type === 'string' && !bounded && !('const' in node)) found.push(`${at}: text without a maximum`)
  if (node.type === 'object' && node.additionalProperties !== false && node.properties === undefined)
    found.push(`${at}: object of any keys`)
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties' && typeof value === 'object' && value !== null) {
      for (const [name, property] of Object.entries(value))
        found.push(...unbounded(property, `${at}.${name}`))
    } else if (key === 'items' || key === 'additionalProperties') {
      found.push(...unbounded(value, `${at}[]`))
    } else if ((key === 'anyOf' || key === 'oneOf' || key === 'allOf') && Array.isArray(value)) {
      for (const option of value) found.push(...unbounded(option, at))
    }
  }
  return found
}

describe('every input has a size limit', () => {
  // The JSON body as a whole is bounded by MAX_JSON_BYTES; this holds each list and text inside it to a
  // maximum of its own, so a body within the byte limit cannot carry a million-item list to a query.
  it.each(endpoints.map((e) => [`${e.method.toUpperCase()} ${e.path}`, e] as const))(
    '%s',
    (_name, endpoint) => {
      const inputs = [
        ...(endpoint.body ? [['body', endpoint.body] as const] : []),
        ...Object.entries(endpoint.query?.shape ?? {}).map(
          ([name, field]) => [`query.${name}`, field] as const,
        ),
      ]
      const problems = inputs.flatMap(([at, schema]) =>
        unbounded(z.toJSONSchema(schema as z.ZodType, { io: 'input', unrepresentable: 'any' }), at),
      )
      expect(problems).toEqual([])
    },
  )

  it('finds an unbounded list or text', () => {
    const loose = z.object({ ids: z.array(z.string().max(5)), note: z.string() })
    expect(unbounded(z.toJSONSchema(loose, { io: 'input' }), 'body')).toEqual([
      'body.ids: list without a maximum',
      'body.note: text without a maximum',
    ])
  })
})
