'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, useTransition } from 'react';
import { MIN_REASON_CHARS } from '@/lib/replay/replay-policy';
import {
  cancelReplayAction,
  confirmReplayAction,
  previewReplayAction,
} from '@/server/actions/replay-actions';
import type { ReplayPreview } from '@/server/replay/preview-replay';
import { DetailsReplayPreview } from './details-replay-preview';
import { type ReplaySelection, selectionLabel } from './replay-selection';
import '@/components/fleet/fleet.css';
import './replay.css';

interface Props {
  kind: 'kafka' | 'sqs';
  source: string;
  dlq: string;
  selection: ReplaySelection;
  /** An admin may send to another topic or queue than the original. */
  admin: boolean;
  /** Browsing the DLQ may move messages on, and the user said go ahead (as on the DLQ page). */
  acknowledgeRedriveRisk: boolean;
  onClose: () => void;
}

/**
 * Preview, then confirm: the preview freezes the messages into a job on the server and says what the
 * confirmation needs (the target typed back, a reason); Confirm starts it and opens its page.
 */
export function DialogReplay({
  kind,
  source,
  dlq,
  selection,
  admin,
  acknowledgeRedriveRisk,
  onClose,
}: Props) {
  const router = useRouter();
  const ref = useRef<HTMLDialogElement>(null);
  const [preview, setPreview] = useState<ReplayPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [typed, setTyped] = useState('');
  const [reason, setReason] = useState('');
  const [otherTarget, setOtherTarget] = useState('');
  const [busy, start] = useTransition();

  const runPreview = (target?: string) =>
    start(async () => {
      setError(null);
      const res = await previewReplayAction({
        kind,
        source,
        dlq,
        selection,
        ...(target ? { target } : {}),
        ...(acknowledgeRedriveRisk ? { acknowledgeRedriveRisk } : {}),
      });
      if (!res.ok) {
        setError(res.error.message);
        return;
      }
      if (preview) void cancelReplayAction({ id: preview.id });
      setPreview(res.data);
      setTyped('');
    });

  // biome-ignore lint/correctness/useExhaustiveDependencies: the preview is asked for once, on opening
  useEffect(() => {
    ref.current?.showModal();
    runPreview();
  }, []);

  const close = () =>
    start(async () => {
      // A preview nobody confirms is cancelled, so the job list does not fill with abandoned jobs.
      if (preview) await cancelReplayAction({ id: preview.id });
      ref.current?.close();
      onClose();
    });

  const confirm = () =>
    start(async () => {
      if (!preview) return;
      setError(null);
      const res = await confirmReplayAction({
        id: preview.id,
        ...(preview.requirements.typedTargetRequired ? { typedTarget: typed } : {}),
        ...(preview.requirements.reasonRequired ? { reason } : {}),
      });
      if (!res.ok) {
        setError(res.error.message);
        return;
      }
      router.push(`/replays/${encodeURIComponent(preview.id)}`);
    });

  const need = preview?.requirements;
  const ready =
    preview !== null &&
    (!need?.typedTargetRequired || typed.trim() === preview.target) &&
    (!need?.reasonRequired || reason.trim().length >= MIN_REASON_CHARS);

  return (
    <dialog
      ref={ref}
      className="replay-dialog"
      aria-labelledby="replay-dialog-title"
      onCancel={(e) => {
        e.preventDefault();
        close();
      }}
    >
      <h2 id="replay-dialog-title">Replay {selectionLabel(selection)}</h2>
      <p className="small">
        From {dlq} on {source}. Nothing is sent until you confirm.
      </p>
      {busy && !preview ? <p>Reading the messages and judging the replay…</p> : null}
      {error ? (
        <p className="banner tone-crit" role="alert" data-testid="replay-error">
          {error}
        </p>
      ) : null}
      {preview ? <DetailsReplayPreview preview={preview} /> : null}
      <form
        className="replay-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (ready && !busy) confirm();
        }}
      >
        {admin && preview ? (
          <div className="replay-actions">
            <label>
              Another target (admin)
              <input value={otherTarget} onChange={(e) => setOtherTarget(e.target.value)} />
            </label>
            <button
              type="button"
              disabled={busy || otherTarget.trim() === ''}
              onClick={() => runPreview(otherTarget.trim())}
            >
              Preview for this target
            </button>
          </div>
        ) : null}
        {need?.reasonRequired ? (
          <label>
            Reason ({preview?.target} is sensitive; at least {MIN_REASON_CHARS} characters)
            <textarea value={reason} rows={3} maxLength={2000} onChange={(e) => setReason(e.target.value)} />
          </label>
        ) : null}
        {need?.typedTargetRequired ? (
          <label>
            Type {preview?.target} to confirm
            <input
              value={typed}
              autoComplete="off"
              spellCheck={false}
              onChange={(e) => setTyped(e.target.value)}
            />
          </label>
        ) : null}
        <div className="replay-actions">
          <button type="submit" className="primary" disabled={!ready || busy}>
            Confirm replay{preview ? ` of ${preview.count}` : ''}
          </button>
          <button type="button" onClick={close}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
