import { LambdaApiClient, LambdaApiError, LAMBDA_API_BASE_URL } from '../../cluster/lambda-api-client.js';
import { writeLiveCatalogFile } from '../../cluster/lambda-catalog.js';
import { UsageError } from '../main.js';
import { parseOptions } from '../parse-options.js';

export const summary = "read Lambda's live instance catalog (prices, specs, regions with capacity) into a dated file";

/** Where `catalog refresh` writes by default. */
export const DEFAULT_CATALOG_FILE = 'lambda-catalog.json';

const HELP = `Usage: lambda-gitops catalog refresh [--out FILE] [--base-url URL]

Reads Lambda Cloud's GET /api/v1/instance-types and writes a dated catalog file: every instance
type's price, specs and the regions with capacity now, the time it was fetched and the URL. Use
it with 'lambda-gitops plan --catalog FILE'. Keeps to the API's limit of one request per second
and retries 429 and 5xx answers.

Environment:
  LAMBDA_API_KEY       the API key (required; read from the environment only, never printed
                       or written)
  LAMBDA_API_BASE_URL  base URL of the API (default ${LAMBDA_API_BASE_URL}); --base-url wins

Options:
  --out FILE       where to write the catalog (default ${DEFAULT_CATALOG_FILE})
  --base-url URL   base URL of the API, e.g. an emulator (default ${LAMBDA_API_BASE_URL})

Exit codes: 0 written, 1 the API failed (5xx, rate limit, network, malformed answer), 2 bad usage,
no key, or a key the API refused (401/403).
`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions({ args, allowPositionals: true, options: { out: { type: 'string' }, 'base-url': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [sub, ...extra] = positionals;
  if (sub !== 'refresh') throw new UsageError(`expected the subcommand 'refresh', got ${sub === undefined ? 'none' : `'${sub}'`}\n${HELP}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const apiKey = process.env.LAMBDA_API_KEY;
  if (!apiKey) throw new UsageError('LAMBDA_API_KEY is not set; export the API key (https://cloud.lambda.ai/api-keys) in the environment');
  const out = values.out ?? DEFAULT_CATALOG_FILE;
  let client: LambdaApiClient;
  try {
    client = new LambdaApiClient({ apiKey, baseUrl: values['base-url'] ?? process.env.LAMBDA_API_BASE_URL ?? LAMBDA_API_BASE_URL });
  } catch (error) {
    throw error instanceof LambdaApiError ? new UsageError(error.message) : error;
  }
  try {
    const catalog = await client.instanceTypes();
    writeLiveCatalogFile(out, catalog);
    const types = Object.values(catalog.instanceTypes);
    const available = types.filter((t) => t.regionsWithCapacity.length > 0).length;
    process.stdout.write(`Wrote ${out}: ${types.length} instance types (${available} with capacity in some region now), fetched ${catalog.fetchedAt} from ${catalog.source}\n`);
    return 0;
  } catch (error) {
    if (error instanceof LambdaApiError) {
      process.stderr.write(`lambda-gitops catalog: ${error.message}\n`);
      return error.isAuthError ? 2 : 1;
    }
    throw error;
  }
}
