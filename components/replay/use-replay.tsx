'use client';

import { type ReactNode, useCallback, useState } from 'react';
import { DialogReplay } from './dialog-replay';
import type { ReplaySelection } from './replay-selection';

export interface ReplayControls {
  /** Messages ticked in the table. */
  picked: ReadonlySet<string>;
  toggle: (id: string) => void;
  pickAll: (ids: readonly string[]) => void;
  clear: () => void;
  /** Opens the preview dialog for `selection`. */
  ask: (selection: ReplaySelection) => void;
  /** The dialog while one is open, else null: render it anywhere. */
  dialog: ReactNode;
}

/**
 * The DLQ page's replay state: the ticked messages and the one dialog, whichever button opened it.
 * `acknowledged`: the user accepted that browsing this SQS DLQ may move messages on (its own RedrivePolicy).
 */
export function useReplay(
  kind: 'kafka' | 'sqs',
  source: string,
  dlq: string,
  admin: boolean,
  acknowledged: boolean,
): ReplayControls {
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [asked, setAsked] = useState<ReplaySelection | null>(null);
  const toggle = useCallback(
    (id: string) =>
      setPicked((old) => {
        const next = new Set(old);
        if (!next.delete(id)) next.add(id);
        return next;
      }),
    [],
  );
  const pickAll = useCallback((ids: readonly string[]) => setPicked((old) => new Set([...old, ...ids])), []);
  const clear = useCallback(() => setPicked(new Set()), []);
  const dialog = asked ? (
    <DialogReplay
      kind={kind}
      source={source}
      dlq={dlq}
      selection={asked}
      admin={admin}
      acknowledgeRedriveRisk={acknowledged}
      onClose={() => setAsked(null)}
    />
  ) : null;
  return { picked, toggle, pickAll, clear, ask: setAsked, dialog };
}
