/** A zero-width space: placed after `@`, it keeps the text readable and stops GitHub from linking a mention. */
export const MENTION_BREAK = '\u200B';

const MENTION = /(?<![A-Za-z0-9_])@(?=[A-Za-z0-9])/g;

/**
 * Text quoted from a pull request (object names, messages, values) with every `@user` and
 * `@org/team` mention neutralised: a zero-width space follows the `@`, so GitHub neither links
 * nor notifies anyone when the text is posted in a comment, a check-run summary or an annotation.
 * An `@` inside a word (`image@sha256:…`, `ops@example.com`) is no mention and stays as it is, so
 * image digests and addresses can still be copied.
 */
export function neutraliseMentions(text: string): string {
  return text.replace(MENTION, `@${MENTION_BREAK}`);
}
