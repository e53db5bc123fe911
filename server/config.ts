import { z } from 'zod'

const boolFlag = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true')

/** Every setting the server and CLI read from the environment; parsed once, at start-up. */
export const Config = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATA_DIR: z.string().min(1).default('./data'),
    CLICKHOUSE_URL: z.url({ protocol: /^https?$/ }).optional(),
    CLICKHOUSE_USER: z.string().default('default'),
    CLICKHOUSE_PASSWORD: z.string().default(''),
    CLICKHOUSE_DATABASE: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier')
      .default('tillsight'),
    CLICKHOUSE_CLUSTER: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'must be a plain identifier')
      .optional(),
    DEMO: boolFlag.default(true),
    WEB: boolFlag.default(true),
    DEMO_LINES: z.coerce.number().int().min(1000).max(1_000_000_000).default(1_000_000),
    ADMIN_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
    PSEUDONYM_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
    MAX_JSON_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
    MAX_INGEST_BYTES: z.coerce.number().int().min(1024).default(2_147_483_648),
    /** Bytes of text committed per INSERT while loading; smaller keeps less in memory and less to re-send. */
    INGEST_CHUNK_BYTES: z.coerce.number().int().min(4096).default(268_435_456),
    MAX_RANGE_DAYS: z.coerce.number().int().min(1).default(1100),
    WALLET_RATE_PER_SECOND: z.coerce.number().int().min(1).default(2000),
    /** The product never shows a count of fewer than 50 customers; operators may only raise K. */
    PRIVACY_K: z.coerce.number().int().min(50, 'must be at least 50').default(50),
    SEGMENT_REFRESH_SECONDS: z.coerce.number().int().min(10).default(300),
  })
  .transform((env) => ({
    port: env.PORT,
    host: env.HOST,
    dataDir: env.DATA_DIR,
    clickhouse: env.CLICKHOUSE_URL
      ? {
          mode: 'remote' as const,
          url: env.CLICKHOUSE_URL,
          user: env.CLICKHOUSE_USER,
          password: env.CLICKHOUSE_PASSWORD,
          database: env.CLICKHOUSE_DATABASE,
          cluster: env.CLICKHOUSE_CLUSTER,
        }
      : { mode: 'embedded' as const, cluster: undefined },
    demo: env.DEMO,
    web: env.WEB,
    demoLines: env.DEMO_LINES,
    adminApiKey: env.ADMIN_API_KEY,
    pseudonymKey: env.PSEUDONYM_KEY,
    logLevel: env.LOG_LEVEL,
    limits: {
      ratePerMinute: env.RATE_LIMIT_PER_MINUTE,
      jsonBytes: env.MAX_JSON_BYTES,
      ingestBytes: env.MAX_INGEST_BYTES,
      ingestChunkBytes: env.INGEST_CHUNK_BYTES,
      rangeDays: env.MAX_RANGE_DAYS,
      walletRatePerSecond: env.WALLET_RATE_PER_SECOND,
      privacyK: env.PRIVACY_K,
    },
    segmentRefreshSeconds: env.SEGMENT_REFRESH_SECONDS,
  }))
export type Config = z.infer<typeof Config>

/** Parses the environment; on failure the message is one line naming each bad variable and what to fix. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const result = Config.safeParse(cleaned)
  if (result.success) return result.data
  const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`)
}

export class ConfigError extends Error {}
