import { createRequire } from 'node:module';
import { createGitHubClient, GitHubClient, GitHubClientOptions } from '../../src/github/index.js';
import { FakeGitHub } from './fake-github.js';

const require = createRequire(import.meta.url);
// bottleneck is the throttling plugin's own scheduler; groups without spacing keep tests fast
const Bottleneck = require('bottleneck/light.js');

/** A client for the fake server: production plugins, but waits scaled from seconds to milliseconds. */
export function clientFor(server: FakeGitHub, logs: string[] = [], extra: Partial<GitHubClientOptions> = {}): GitHubClient {
  const group = () => new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 });
  return createGitHubClient({
    token: server.token,
    baseUrl: server.url,
    log: (m) => logs.push(m),
    throttle: { retryAfterBaseValue: 1, write: group(), notifications: group(), global: group(), search: group(), auth: group() },
    retry: { retryAfterBaseValue: 1 },
    ...extra,
  });
}
