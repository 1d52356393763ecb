import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';

test('@octokit/rest 22 (ESM-only) loads under jest with its plugins', () => {
  const Client = Octokit.plugin(retry, throttling);
  const client = new Client({ auth: 'x', throttle: { onRateLimit: () => false, onSecondaryRateLimit: () => false } });
  expect(typeof client.rest.issues.createComment).toBe('function');
});
