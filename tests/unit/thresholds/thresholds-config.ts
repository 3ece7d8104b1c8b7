import { parseConfig } from '@/lib/config/parse';
import type { ThresholdsConfig } from '@/lib/config/schema';

/** The thresholds section parsed from YAML lines indented under `thresholds:`; none = the section left out. */
export function thresholdsConfig(...lines: string[]): ThresholdsConfig {
  const section = lines.length > 0 ? `thresholds:\n${lines.map((l) => `  ${l}`).join('\n')}\n` : '';
  const result = parseConfig(`auth:\n  github: { clientId: x, clientSecretEnv: GH }\n${section}`);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.config.thresholds;
}
