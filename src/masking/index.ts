export { CREDENTIAL_WORDS, CREDENTIAL_WORD_PATTERN, NON_SECRET_KEY_QUALIFIERS, DESCRIPTOR_FIRST_WORDS, DESCRIPTOR_LAST_WORDS, isCredentialName, isDescriptorName, nameWords } from './credential-names.js';
export { TOKEN_FORMATS, isPlaceholder, secretsInText } from './secret-text.js';
export type { SecretTextOptions } from './secret-text.js';
export { LAST_APPLIED_ANNOTATION, isSecretPointer, secretSlots, slotPointer } from './secret-positions.js';
export type { PathSegment, SecretSlot } from './secret-positions.js';
export { MIN_SCRUBBED_LENGTH, SCRUBBED, SecretScrubber, formsOf } from './secret-scrubber.js';
export { MENTION_BREAK, neutraliseMentions } from './mentions.js';
