import 'server-only';

export interface WebhookRequest {
  fetch: typeof globalThis.fetch;
  url: string;
  body: string;
  idempotencyKey: string;
  /** For the whole exchange: connect, send, and the answer's status line. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export type PostResult = { ok: true; status: number } | { ok: false; error: string };

const ERROR_BODY_BYTES = 1024;
const ERROR_TEXT_CHARS = 200;

/** One POST; every outcome but a 2xx answer is an error in plain words, never holding the secret URL. */
export async function postWebhook(request: WebhookRequest): Promise<PostResult> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  try {
    const response = await request.fetch(request.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Tidewatch',
        'idempotency-key': request.idempotencyKey,
      },
      body: request.body,
      signal,
      // A redirected POST turns into a GET on most receivers: report it rather than follow it.
      redirect: 'manual',
    });
    if (response.ok) {
      await response.body?.cancel();
      return { ok: true, status: response.status };
    }
    const text = await errorText(response);
    return { ok: false, error: `HTTP ${response.status}${text ? `: ${text}` : ''}` };
  } catch (error) {
    if (timeout.aborted) return { ok: false, error: `no answer within ${request.timeoutMs} ms` };
    if (request.signal?.aborted) return { ok: false, error: 'interrupted: the worker is stopping' };
    return { ok: false, error: describe(error).replaceAll(request.url, '<webhook URL>') };
  }
}

/** The start of an error answer (Slack says why there: `invalid_payload`, `no_service`). */
async function errorText(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < ERROR_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // The status is what counts; a body cut short by the timeout adds nothing.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const text = Buffer.concat(chunks).toString('utf8').replace(/\s+/g, ' ').trim();
  return text.length > ERROR_TEXT_CHARS ? `${text.slice(0, ERROR_TEXT_CHARS)}…` : text;
}

/** Node's fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND) is in its cause. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (!(cause instanceof Error)) return error.message;
  const code = 'code' in cause && typeof cause.code === 'string' ? cause.code : cause.message;
  return `${error.message}: ${code}`;
}
