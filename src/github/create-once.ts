import { callGitHub, createRetryPolicy, GitHubApiError, GitHubClient } from './client.js';

/** What a look-up after a failed create found out. */
export type LandedCheck<T> =
  | { readonly landed: true; readonly value: T }
  | { readonly landed: false };

/** Options of {@link createOnce}. */
export interface CreateOnceOptions<T> {
  /** What is being done, for messages ("commenting on acme/platform#7"). */
  readonly action: string;
  /** The `permissions:` scope the call needs, for a 403 message. */
  readonly permission: string;
  /** Sends the create request once (the client never retries it by itself). */
  readonly create: () => Promise<T>;
  /**
   * Looks whether the create landed although it failed (GitHub answered 5xx or the connection
   * dropped after sending). Without it, a failed create is never re-sent: it may have landed.
   * @default none
   */
  readonly lookUp?: () => Promise<LandedCheck<T>>;
}

/** A failure after which the request may have been carried out by GitHub. */
function mayHaveLanded(error: unknown): boolean {
  return error instanceof GitHubApiError && (error.status >= 500 || error.status === 0);
}

/**
 * Sends a request that creates something (a comment, a check run) so that it exists once: after a
 * 5xx it first looks whether the request landed anyway ({@link CreateOnceOptions.lookUp}) and
 * returns what it finds; only when the look-up proves it did not land is the request sent again
 * (at most {@link GitHubClientOptions.createRetries} times, waiting 1, 4, 9... seconds).
 */
export async function createOnce<T>(client: GitHubClient, options: CreateOnceOptions<T>): Promise<T> {
  const { retries, msPerSecond } = createRetryPolicy(client);
  for (let attempt = 0; ; attempt++) {
    try {
      return await callGitHub(client, options.action, options.permission, options.create);
    } catch (error) {
      if (!mayHaveLanded(error)) throw error;
      const failure = error as GitHubApiError;
      if (!options.lookUp) {
        throw new GitHubApiError(`${failure.message}; not sent again: the request may have been carried out and there is no way to look it up (re-run the job)`, failure.status, failure.action);
      }
      const check = await options.lookUp();
      if (check.landed) return check.value;
      if (attempt >= retries) {
        throw new GitHubApiError(`${failure.message}; it did not land (looked up after each of ${attempt + 1} attempts), giving up`, failure.status, failure.action);
      }
      await new Promise((resolve) => setTimeout(resolve, (attempt + 1) ** 2 * msPerSecond));
    }
  }
}
