/*
 * Text from a message (a header, an exception message, a body) made safe to show: React already
 * escapes HTML, so what is left are characters that hide or rearrange what the reader sees.
 */

// C0 controls but tab and newline, DEL, C1 controls; bidi embeddings, overrides and isolates ("Trojan Source").
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's purpose
const HIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export interface DisplayText {
  text: string;
  /** True when the text was cut at `maxChars`. */
  truncated: boolean;
}

/** Control and bidi characters shown as U+FFFD (CR of a CRLF dropped), cut at `maxChars` UTF-16 units. */
export function displayText(text: string, maxChars: number): DisplayText {
  const truncated = text.length > maxChars;
  const cut = truncated ? text.slice(0, cutPoint(text, maxChars)) : text;
  return { text: cut.replace(/\r\n/g, '\n').replace(HIDDEN, '\ufffd'), truncated };
}

/** `displayText` without the flag, for short single values (class names, ids). */
export function safeText(text: string, maxChars: number): string {
  const { text: shown, truncated } = displayText(text, maxChars);
  return truncated ? `${shown}…` : shown;
}

// Never cut between the two halves of a surrogate pair.
function cutPoint(text: string, maxChars: number): number {
  const code = text.charCodeAt(maxChars - 1);
  return code >= 0xd800 && code <= 0xdbff ? maxChars - 1 : maxChars;
}
