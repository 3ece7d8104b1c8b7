/*
 * What the server learnt from the Schema Registry about a Confluent wire-format body (magic byte 0, a
 * 4-byte schema id). Safe for the browser: no URL, no credentials, only the verdict and the schema's names.
 */

export type SchemaType = 'AVRO' | 'PROTOBUF' | 'JSON';

export type RegistryView =
  /** No registry is configured for where the message came from. */
  | { status: 'no-registry'; schemaId: number }
  /** Decoded: the body's `inner` is the JSON of the record. */
  | {
      status: 'decoded';
      schemaId: number;
      schemaType: SchemaType;
      subject: string | null;
      version: number | null;
      /** Protobuf: the full name of the message type the record's message indexes name. */
      messageType?: string;
    }
  /** The schema was found but the bytes do not decode with it (the classic deserialisation dead letter). */
  | {
      status: 'mismatch';
      schemaId: number;
      schemaType: SchemaType;
      subject: string | null;
      version: number | null;
      /** Protobuf: the type the record was read as; absent when its message indexes name none. */
      messageType?: string;
      error: string;
    }
  /** The registry answered that it has no schema with this id. */
  | { status: 'unknown-schema'; schemaId: number; error: string }
  /** The registry could not be asked (down, timed out, refused the credentials). */
  | { status: 'unreachable'; schemaId: number; error: string };

const TYPE_NAMES: Record<SchemaType, string> = { AVRO: 'Avro', PROTOBUF: 'Protobuf', JSON: 'JSON Schema' };

/** One line for the page: what the body is and, when it could not be decoded, why it is shown as hex. */
export function registryLine(view: RegistryView): string {
  switch (view.status) {
    case 'no-registry':
      return `Confluent wire format, schema id ${view.schemaId} (no registry configured)`;
    case 'decoded':
      return `${typeText(view)} · ${subjectText(view)} · schema id ${view.schemaId}`;
    case 'mismatch':
      return `${typeText(view)} · ${subjectText(view)} · does not match schema ${view.schemaId}: ${view.error}; shown as hex`;
    case 'unknown-schema':
      return `Confluent wire format, schema id ${view.schemaId}: not in the registry (${view.error}); shown as hex`;
    case 'unreachable':
      return `Confluent wire format, schema id ${view.schemaId}: the registry could not be reached (${view.error}); shown as hex`;
  }
}

/** "Protobuf pay.Refund.Line" where the message type is known, else the schema type alone. */
function typeText(view: { schemaType: SchemaType; messageType?: string }): string {
  const type = TYPE_NAMES[view.schemaType];
  return view.messageType ? `${type} ${view.messageType}` : type;
}

function subjectText(view: { subject: string | null; version: number | null }): string {
  if (view.subject === null) return 'subject unknown';
  return `subject ${view.subject} · version ${view.version ?? '?'}`;
}
