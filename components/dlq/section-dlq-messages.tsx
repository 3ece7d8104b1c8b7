import 'server-only';
import type { TidewatchConfig } from '@/lib/config/schema';
import type { BrokerKind } from '@/lib/fleet/fleet-view';
import type { SessionUser } from '@/server/auth/guard';
import { browseDlq } from '@/server/dlq/browse-dlq';
import { toPublicError } from '@/server/http';
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
    message: toPublicError(error).message,
  }));
  return <DlqMessages kind={kind} source={source} name={name} first={first} />;
}
