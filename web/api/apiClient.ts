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

export type WriteMethod = 'POST' | 'PATCH' | 'PUT' | 'DELETE'

export interface ApiClient {
  get<T>(path: string, params?: QueryParams, signal?: AbortSignal): Promise<T>
  /** A JSON body sent with a method that writes (or, for previews, reads by POST); 204 resolves undefined. */
  send<T>(method: WriteMethod, path: string, body?: unknown, signal?: AbortSignal): Promise<T>
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
  async function request<T>(
    method: 'GET' | WriteMethod,
    url: string,
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    const headers: Record<string, string> = { authorization, accept: 'application/json' }
    if (body !== undefined) headers['content-type'] = 'application/json'
    let response: Response
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: signal ?? null,
      })
    } catch (err) {
      if (signal?.aborted) throw err
      throw new ApiError(0, 'network', 'the server cannot be reached; check your connection and retry')
    }
    if (response.status === 401) onUnauthorized()
    if (!response.ok) throw await errorOf(response)
    if (response.status === 204) return undefined as T
    return (await response.json()) as T
  }
  return {
    get: <T>(path: string, params?: QueryParams, signal?: AbortSignal) =>
      request<T>('GET', buildUrl(path, params), undefined, signal),
    send: <T>(method: WriteMethod, path: string, body?: unknown, signal?: AbortSignal) =>
      request<T>(method, path, body, signal),
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
