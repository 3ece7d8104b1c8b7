import 'server-only';
import { roleAtLeast } from '@/lib/auth/roles';
import type { TidewatchConfig } from '@/lib/config/schema';
import type { SourceFirstSeen } from '@/lib/dead-letters/failure-groups';
import { originalSource } from '@/lib/dlq/row-groups';
import type { BrokerKind } from '@/lib/fleet/fleet-view';
import type { SessionUser } from '@/server/auth/guard';
import { browseDlq } from '@/server/dlq/browse-dlq';
import { MAX_SOURCES, sourceFirstSeen } from '@/server/dlq/source-first-seen';
import { toPublicError } from '@/server/public-error';
import { getStore } from '@/server/store/get-store';
import { DlqMessages } from './dlq-messages';

interface Props {
  config: TidewatchConfig;
  user: SessionUser;
  kind: BrokerKind;
  source: string;
  name: string;
}

/** The first page of messages, read and masked for the user here, so the browser gets nothing unmasked. */
export async function SectionDlqMessages({ config, user, kind, source, name }: Props) {
  const first = await browseDlq(config, user.role, { kind, source, name, limit: 100 }).catch((error) => ({
    kind: 'error' as const,
    message: toPublicError(error, 'DLQ first page').message,
  }));
  const firstSeen: Record<string, SourceFirstSeen> = {};
  if (first.kind === 'page') {
    const names = new Set(first.messages.map(originalSource).filter((n): n is string => n !== null));
    const store = await getStore();
    for (const original of [...names].slice(0, MAX_SOURCES)) {
      firstSeen[original] = await sourceFirstSeen(store, kind, source, original);
    }
  }
  return (
    <DlqMessages
      kind={kind}
      source={source}
      name={name}
      first={first}
      firstSeen={firstSeen}
      replayAs={roleAtLeast(user.role, 'operator') ? user.role : null}
    />
  );
}
