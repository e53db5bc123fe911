import type { ErrorBody } from '../../server/contract.ts'

/** A failed API call: the server's error code and message, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/** Query values; arrays become repeated parameters (?store=a&store=b), empty values are left out. */
export type QueryParams = Record<string, string | number | readonly string[] | undefined>

export function buildUrl(path: string, params: QueryParams = {}): string {
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === '') continue
    if (Array.isArray(value)) for (const item of value) search.append(name, item)
    else search.append(name, String(value))
  }
  const query = search.toString()
  return query ? `${path}?${query}` : path
}

export interface ApiClient {
  get<T>(path: string, params?: QueryParams, signal?: AbortSignal): Promise<T>
  /** Raw request for uploads; resolves with the parsed JSON body. */
  upload<T>(
    path: string,
    body: Blob,
    type: { mediaType: string; gzip: boolean },
    onProgress: (loaded: number, total: number) => void,
  ): Promise<T>
}

async function errorOf(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as ErrorBody
    return new ApiError(response.status, body.error.code, body.error.message)
  } catch {
    return new ApiError(response.status, 'http_error', `${response.status} ${response.statusText}`)
  }
}

/**
 * The dashboard's one way to the API: bearer key on every call, errors as ApiError, and a 401 (expired or
 * revoked key) reported to onUnauthorized so the session ends and the sign-in page shows.
 */
export function createApiClient(key: string, onUnauthorized: () => void): ApiClient {
  const authorization = `Bearer ${key}`
  return {
    async get<T>(path: string, params?: QueryParams, signal?: AbortSignal): Promise<T> {
      let response: Response
      try {
        response = await fetch(buildUrl(path, params), {
          headers: { authorization, accept: 'application/json' },
          signal: signal ?? null,
        })
      } catch (err) {
        if (signal?.aborted) throw err
        throw new ApiError(0, 'network', 'the server cannot be reached; check your connection and retry')
      }
      if (response.status === 401) onUnauthorized()
      if (!response.ok) throw await errorOf(response)
      return (await response.json()) as T
    },
    upload<T>(
      path: string,
      body: Blob,
      type: { mediaType: string; gzip: boolean },
      onProgress: (loaded: number, total: number) => void,
    ): Promise<T> {
      // XMLHttpRequest rather than fetch: only it reports upload progress in every browser.
      return new Promise<T>((resolve, reject) => {
        const request = new XMLHttpRequest()
        request.open('POST', path)
        request.setRequestHeader('authorization', authorization)
        request.setRequestHeader('content-type', type.mediaType)
        if (type.gzip) request.setRequestHeader('content-encoding', 'gzip')
        request.upload.onprogress = (event) => onProgress(event.loaded, event.total || body.size)
        request.onerror = () => reject(new ApiError(0, 'network', 'the upload was interrupted'))
        request.onload = () => {
          if (request.status === 401) onUnauthorized()
          let parsed: unknown
          try {
            parsed = JSON.parse(request.responseText)
          } catch {
            reject(new ApiError(request.status, 'http_error', `${request.status} ${request.statusText}`))
            return
          }
          if (request.status >= 200 && request.status < 300) resolve(parsed as T)
          else {
            const error = (parsed as ErrorBody).error
            reject(new ApiError(request.status, error.code, error.message))
          }
        }
        request.send(body)
      })
    },
  }
}
