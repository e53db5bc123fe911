import { z } from 'zod'
import { ErrorBody, type Endpoint } from './contract.ts'

const schema = (type: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(type, { target: 'openapi-3.0', io, unrepresentable: 'any' })

/** Builds the OpenAPI 3.0 document from the contract's endpoint list. */
export function buildOpenApi(endpoints: readonly Endpoint[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const endpoint of endpoints) {
    const parameters = [
      ...[...endpoint.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      ...Object.entries(endpoint.query?.shape ?? {}).map(([name, field]) => ({
        name,
        in: 'query',
        required: !(field as z.ZodType).safeParse(undefined).success,
        schema: schema(field as z.ZodType, 'input'),
      })),
    ]
    const errorResponse = {
      description: 'Error',
      content: { 'application/json': { schema: schema(ErrorBody, 'output') } },
    }
    const requestBody = endpoint.body
      ? { required: true, content: { 'application/json': { schema: schema(endpoint.body, 'input') } } }
      : endpoint.bodyMediaTypes
        ? {
            required: true,
            content: Object.fromEntries(
              endpoint.bodyMediaTypes.map((t) => [t, { schema: { type: 'string', format: 'binary' } }]),
            ),
          }
        : undefined
    const operations = (paths[endpoint.path] ??= {})
    operations[endpoint.method] = {
      summary: endpoint.summary,
      ...(endpoint.roles === 'public'
        ? { security: [] }
        : { description: `Roles: ${endpoint.roles.join(', ')}.` }),
      parameters,
      ...(requestBody ? { requestBody } : {}),
      responses: {
        '200': {
          description: 'OK',
          content: { 'application/json': { schema: schema(endpoint.response, 'output') } },
        },
        '400': errorResponse,
        '401': errorResponse,
        '403': errorResponse,
        '404': errorResponse,
        '429': errorResponse,
      },
    }
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Tillsight API',
      version: '1.0.0',
      description: 'Merchant analytics and targeted marketing.',
    },
    servers: [{ url: '/' }],
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
    security: [{ apiKey: [] }],
    paths,
  }
}
