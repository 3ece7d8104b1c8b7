/** GET a fleet route as JSON; a failure becomes an Error with the server's plain message. */
export async function fetchJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { signal, cache: 'no-store', headers: { accept: 'application/json' } });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new Error('The console server did not answer: check your connection.');
  }
  const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
  if (!response.ok)
    throw new Error(body?.error?.message ?? `The console server answered HTTP ${response.status}.`);
  return body as T;
}
