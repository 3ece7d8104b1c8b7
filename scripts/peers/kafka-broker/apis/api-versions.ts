import type { ApiSpec } from '../context';
import { ErrorCode } from '../protocol/errors';
import { Writer } from '../protocol/writer';

export const API_VERSIONS_KEY = 18;

/** ApiVersions body; a v0 layout is what clients expect back when their version was refused. */
export function encodeApiVersions(specs: readonly ApiSpec[], version: number, errorCode: number): Buffer {
  const w = new Writer().int16(errorCode);
  w.array(specs, (w, s) => w.int16(s.key).int16(0).int16(s.maxVersion));
  if (version >= 1) w.int32(0);
  return w.toBuffer();
}

export const apiVersionsApi: ApiSpec = {
  key: API_VERSIONS_KEY,
  name: 'ApiVersions',
  maxVersion: 2,
  handle: (ctx) => encodeApiVersions(ctx.state.apis, ctx.apiVersion, ErrorCode.NONE),
};
