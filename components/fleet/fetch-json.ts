/**
 * GET a fleet route as JSON; a failure becomes an Error with the server's plain message. Given what the
 * page already holds and its ETag, a 304 (nothing new since) answers with that.
 */
export async function fetchJson<T>(
  url: string,
  signal?: AbortSignal,
  held?: { etag: string; data: T },
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      signal,
      cache: 'no-store',
      headers: { accept: 'application/json', ...(held ? { 'if-none-match': held.etag } : {}) },
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new Error('The console server did not answer: check your connection.');
  }
  if (response.status === 304 && held) return held.data;
  const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
  if (!response.ok)
    throw new Error(body?.error?.message ?? `The console server answered HTTP ${response.status}.`);
  return body as T;
}
