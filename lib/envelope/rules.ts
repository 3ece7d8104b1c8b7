import { DEFAULT_ENVELOPE_LOCATIONS } from './default-locations';
import { ENVELOPE_FIELDS, type EnvelopeField, type EnvelopeRules } from './extract-envelope';

/** In a configured location list, this entry stands for the built-in list (so `[mine, defaults]` prepends). */
export const DEFAULTS_TOKEN = 'defaults';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_SUMMARY_CHARS = 160;

/** The `envelope` config section as validated (lib/config/envelope-schema.ts). */
export interface EnvelopeConfig {
  maxBodyBytes: number;
  summaryChars: number;
  locations: Partial<Record<EnvelopeField, string[]>>;
  businessKeys: { eventType: string; name: string; path: string | string[] }[];
}

/**
 * A configured list replaces the built-in one for its field; `defaults` inside it splices the built-in
 * list in at that place. Fields not named keep the built-in list.
 */
export function envelopeRules(config: EnvelopeConfig): EnvelopeRules {
  const locations = {} as Record<EnvelopeField, string[]>;
  for (const field of ENVELOPE_FIELDS) {
    const configured = config.locations[field];
    const builtIn = DEFAULT_ENVELOPE_LOCATIONS[field];
    locations[field] = configured
      ? configured.flatMap((entry) => (entry === DEFAULTS_TOKEN ? [...builtIn] : [entry]))
      : [...builtIn];
  }
  return {
    locations,
    maxBodyBytes: config.maxBodyBytes,
    summaryChars: config.summaryChars,
    businessKeys: config.businessKeys.map((k) => ({
      eventType: k.eventType,
      name: k.name,
      paths: typeof k.path === 'string' ? [k.path] : [...k.path],
    })),
  };
}

export const DEFAULT_ENVELOPE_RULES: EnvelopeRules = envelopeRules({
  maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
  summaryChars: DEFAULT_SUMMARY_CHARS,
  locations: {},
  businessKeys: [],
});
