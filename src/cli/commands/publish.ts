import { existsSync, readFileSync, statSync } from 'node:fs';
import { createGitHubClient, GitHubApiError } from '../../github/client.js';
import { publishTree, readPublishFiles } from '../../github/publish.js';
import { refusePendingSwap } from '../../render/swap-journal.js';
import { UsageError } from '../main.js';
import { parseOptions } from '../parse-options.js';

export const summary = 'commit the rendered tree to a GitOps repository (Git Data API) and open or update a PR';

const HELP = `Usage: lambda-gitops publish --repo OWNER/NAME --branch BRANCH [options]

Commits the YAML files of DIR to BRANCH of the GitOps repository in one commit (created from
BASE when the branch is missing), deleting YAML files below PATH that DIR no longer has, then
opens or updates the pull request BRANCH → BASE. Nothing is committed when nothing changed.
The token comes from the environment variable named by --token-env (default GITHUB_TOKEN).

Options:
  --repo OWNER/NAME   the GitOps repository (required)
  --branch BRANCH     branch to commit to (required)
  --base BRANCH       branch the pull request targets (default: main)
  --dir DIR           rendered tree to publish (default: dist)
  --path PATH         directory in the repository that mirrors DIR (default: the root)
  --message TEXT      commit message (default: Update rendered manifests)
  --title TEXT        pull request title (default: the commit message)
  --body-file FILE    pull request body
  --token-env NAME    environment variable holding the token (default: GITHUB_TOKEN)
`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseOptions({
      args,
      options: {
        repo: { type: 'string' }, branch: { type: 'string' }, base: { type: 'string', default: 'main' }, dir: { type: 'string', default: 'dist' },
        path: { type: 'string' }, message: { type: 'string' }, title: { type: 'string' }, 'body-file': { type: 'string' },
        'token-env': { type: 'string', default: 'GITHUB_TOKEN' }, help: { type: 'boolean', short: 'h' },
      },
    });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [owner, repo, extra] = (values.repo ?? '').split('/');
  if (!owner || !repo || extra !== undefined) throw new UsageError(`--repo must be OWNER/NAME, got '${values.repo ?? ''}'`);
  if (!values.branch) throw new UsageError('--branch is required');
  if (values.branch === values.base) throw new UsageError(`--branch and --base are both '${values.base}'; publish to a separate branch and merge the pull request`);
  if (!existsSync(values.dir) || !statSync(values.dir).isDirectory()) throw new UsageError(`--dir ${values.dir}: not a directory`);
  refusePendingSwap([values.dir]);
  const tokenVariable = values['token-env'];
  const token = process.env[tokenVariable];
  if (!token) throw new UsageError(`${tokenVariable} is not set (a token with contents: write and pull-requests: write on ${values.repo})`);
  try {
    const client = createGitHubClient({ token, baseUrl: process.env.GITHUB_API_URL });
    const result = await publishTree(client, {
      owner, repo, branch: values.branch, base: values.base, files: readPublishFiles(values.dir), path: values.path,
      message: values.message, title: values.title, body: values['body-file'] ? readFileSync(values['body-file'], 'utf8') : undefined,
    });
    if (result.commitSha) {
      process.stdout.write(`${values.repo}@${values.branch}: commit ${result.commitSha} (${result.added.length} added, ${result.changed.length} changed, ${result.deleted.length} deleted)\n`);
    } else {
      process.stdout.write(`${values.repo}@${values.branch}: nothing changed, no commit\n`);
    }
    if (result.pullRequest) process.stdout.write(`pull request #${result.pullRequest.number} ${result.pullRequest.created ? 'opened' : 'up to date'}: ${result.pullRequest.url}\n`);
    return 0;
  } catch (error) {
    if (error instanceof GitHubApiError) {
      process.stderr.write(`lambda-gitops publish: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
