/**
 * Which names (environment variables, mapping keys, command-line flags) hold a credential. A name
 * is split into lower-case words at `_`, `-`, `.`, `/`, spaces and camelCase boundaries
 * (`SSH_PRIVKEY` → ssh, privkey; `stripeSk` → stripe, sk).
 *
 * A name is a credential name when one of its words is a credential word ({@link CREDENTIAL_WORDS}
 * or {@link CREDENTIAL_WORD_PATTERN}) and it is not a descriptor name: a name whose first word is
 * in {@link DESCRIPTOR_FIRST_WORDS} (`MAX_TOKENS`, `existingSecret`) or whose last word is in
 * {@link DESCRIPTOR_LAST_WORDS} (`DB_PASSWORD_FILE`, `secretKeyRef`, `TOKEN_TTL`) describes or
 * references a credential without holding it. The single words `key` and `keys` are not
 * credential names (Kubernetes uses them for label keys, tolerations and Secret key references),
 * nor is a name whose only credential word is `key` after a word of {@link NON_SECRET_KEY_QUALIFIERS}
 * (`topologyKey`, `routing_key`).
 */

/** Words that name a credential on their own (`DB_PWD`, `STRIPE_SK`, `JWT`, `tls.key`). */
export const CREDENTIAL_WORDS: ReadonlySet<string> = new Set([
  'pass', 'pwd', 'pw', 'passwd', 'sk', 'jwt', 'otp', 'totp', 'hotp', 'hmac', 'psk', 'salt', 'signature', 'dsn', 'pat',
  'creds', 'cred', 'auth', 'oauth', 'key', 'keys', 'private', 'bearer', 'cookie', 'cookies', 'mnemonic', 'privkey', 'apikey',
]);

/** Word parts that make a word a credential word (`password`, `apiToken` → token, `basicauth`). */
export const CREDENTIAL_WORD_PATTERN = /pass(word|wd|phrase)|secret|credential|api_?key|priv(ate)?key|access_?key|signing_?key|master_?key|encryption_?key|token(?!iz)|cookie|^auth(?!or(?!i[sz]))|auth$|jwt|bearer/;

/** Words before `key` that make it a lookup key, not a credential (`topologyKey`, `partitionKey`). */
export const NON_SECRET_KEY_QUALIFIERS: ReadonlySet<string> = new Set([
  'topology', 'partition', 'routing', 'sort', 'cache', 'label', 'node', 'annotation', 'primary', 'foreign', 'hash', 'lookup',
  'idempotency', 'dedup', 'shard', 'group', 'metric', 'object', 'map', 'row', 'column', 'index', 'match', 'config', 'selector',
]);

/** First words that make a name a descriptor (`max_tokens`, `existingSecret`, `usePasswordFiles`). */
export const DESCRIPTOR_FIRST_WORDS: ReadonlySet<string> = new Set([
  'max', 'min', 'num', 'existing', 'use', 'enable', 'disable', 'create', 'skip', 'require', 'allow', 'show', 'is',
]);

/** Last words that make a name a descriptor (`DB_PASSWORD_FILE`, `secretKeyRef`, `TOKEN_TTL`). */
export const DESCRIPTOR_LAST_WORDS: ReadonlySet<string> = new Set([
  'name', 'names', 'ref', 'refs', 'selector', 'file', 'files', 'path', 'paths', 'dir', 'directory', 'mount', 'user', 'username',
  'enabled', 'disabled', 'type', 'kind', 'mode', 'policy', 'ttl', 'timeout', 'seconds', 'duration', 'age', 'expiry', 'expiration',
  'expires', 'length', 'size', 'count', 'format', 'algorithm', 'alg', 'method', 'issuer', 'audience', 'namespace', 'version', 'affinity',
]);

/** The lower-case words of a name. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .map((word) => word.toLowerCase())
    .filter((word) => word !== '');
}

function isCredentialWord(word: string): boolean {
  return CREDENTIAL_WORDS.has(word) || CREDENTIAL_WORD_PATTERN.test(word);
}

const descriptorCache = new Map<string, boolean>();
const credentialCache = new Map<string, boolean>();
const CACHE_LIMIT = 100_000;

function cached(cache: Map<string, boolean>, name: string, compute: (name: string) => boolean): boolean {
  let result = cache.get(name);
  if (result === undefined) {
    result = compute(name);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(name, result);
  }
  return result;
}

/** Whether a name describes or references a credential rather than holding one. */
export function isDescriptorName(name: string): boolean {
  return cached(descriptorCache, name, computeIsDescriptorName);
}

function computeIsDescriptorName(name: string): boolean {
  const words = nameWords(name);
  if (words.length === 0) return false;
  if (words.length === 1 && (words[0] === 'key' || words[0] === 'keys')) return true;
  return DESCRIPTOR_FIRST_WORDS.has(words[0]) || DESCRIPTOR_LAST_WORDS.has(words[words.length - 1]);
}

/** Whether a value under this name is a credential (see the module comment for the rule). */
export function isCredentialName(name: string): boolean {
  return cached(credentialCache, name, computeIsCredentialName);
}

function computeIsCredentialName(name: string): boolean {
  const words = nameWords(name);
  const credential = words.some((word, i) => isCredentialWord(word) && !((word === 'key' || word === 'keys') && i > 0 && NON_SECRET_KEY_QUALIFIERS.has(words[i - 1])));
  return credential && !isDescriptorName(name);
}
