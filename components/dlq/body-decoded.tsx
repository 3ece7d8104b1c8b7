import type { MaskedBody } from '@/lib/masking/mask-fields';
import { registryLine } from '@/lib/payload/schema-view';

/**
 * What the Schema Registry made of a Confluent wire-format body: type, subject, version and schema id
 * when decoded (the body below is then its JSON), else why the body below is hex. Text only.
 */
export function BodyDecoded({ body }: { body: MaskedBody }) {
  if (body.kind !== 'confluent' || !body.registry) return null;
  const view = body.registry;
  const failed = view.status !== 'decoded' && view.status !== 'no-registry';
  const messageType = view.status === 'decoded' || view.status === 'mismatch' ? view.messageType : undefined;
  return (
    <p
      className="small"
      data-testid="body-schema"
      data-status={view.status}
      data-message-type={messageType}
      role={failed ? 'status' : undefined}
    >
      {registryLine(view)}
    </p>
  );
}
