/**
 * GitHub Deployment records for staging and production, so the repository's Environments page
 * shows what runs where. A record is bookkeeping: every failure here is a warning and never
 * stops a deploy. `checkPermission` is the one method that throws, for callers that want a
 * missing `deployments: write` reported before production is touched.
 */
import { GitHubError } from "../../core/errors.js";
import type { DeploymentRecorder, Logger } from "../../core/ports.js";
import { type GitHubClient, httpStatus, isPermissionDenied, toGitHubError } from "./client.js";

export interface GitHubDeploymentRecorderOptions {
  readonly client: GitHubClient;
  readonly owner: string;
  readonly repo: string;
  /** Link to the workflow run, shown as "View logs" on every status. */
  readonly logUrl?: string;
  readonly logger: Logger;
  /** How many recent deployments of an environment to look at when a new one becomes active. Default 10. */
  readonly supersedeLookback?: number;
}

type DeploymentState = "in_progress" | "success" | "failure" | "inactive";

/** GitHub rejects deployment status descriptions longer than this. */
export const MAX_DESCRIPTION = 140;
const PERMISSION = "deployments: write";
/** A commit id that cannot exist: creating a deployment for it fails validation after the permission check. */
const NULL_SHA = "0".repeat(40);

/** Shortens `text` to GitHub's 140-character limit, by code point, ending with an ellipsis. */
export function truncateDescription(text: string, max = MAX_DESCRIPTION): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

/** Records deployments through the GitHub Deployments API. */
export class GitHubDeploymentRecorder implements DeploymentRecorder {
  readonly #options: GitHubDeploymentRecorderOptions;
  /** Records this run created: production ones must retire their predecessors themselves. */
  readonly #records = new Map<string, { environment: string; production: boolean; earlier?: Promise<EarlierRecords> }>();
  /** The first "not accessible by integration" answer, kept for `checkPermission`. */
  #denied: unknown;

  constructor(options: GitHubDeploymentRecorderOptions) {
    this.#options = options;
  }

  /** Creates a record for `environment` at `ref`; undefined (with a warning) when GitHub made none. */
  async start(environment: string, info: { ref: string; description: string; production: boolean }): Promise<string | undefined> {
    const { client, owner, repo } = this.#options;
    try {
      const response = await client.rest.repos.createDeployment({
        owner,
        repo,
        ref: info.ref,
        environment,
        // The defaults would merge the default branch into `ref` (202) and require every
        // commit status to be green (409): neither makes sense for a tag or commit id.
        auto_merge: false,
        required_contexts: [],
        production_environment: info.production,
        transient_environment: false,
        description: truncateDescription(info.description),
      });
      if (response.status === 201 && "id" in response.data) {
        const handle = String(response.data.id);
        // A production record retires the earlier ones once it succeeds: which ones are read
        // now, while the deploy and its gate run, so that success is then one write each.
        const earlier = info.production ? this.#readEarlier(environment, response.data.id) : undefined;
        earlier?.catch(() => undefined);
        this.#records.set(handle, { environment, production: info.production, ...(earlier ? { earlier } : {}) });
        return handle;
      }
      const message = "message" in response.data ? response.data.message : "";
      this.#options.logger.warn(
        `GitHub made no deployment record for ${environment} (HTTP ${response.status}${message ? `: ${message}` : ""}).`,
      );
    } catch (error) {
      this.#warn(`create the deployment record for ${environment}`, error);
    }
    return undefined;
  }

  /** Adds a status to a record; a production `success` also retires the production records before it. */
  async update(handle: string, state: DeploymentState, info: { environmentUrl?: string; description?: string }): Promise<void> {
    const id = Number(handle);
    if (!Number.isSafeInteger(id)) {
      this.#options.logger.warn(`Ignoring deployment status for unknown record \`${handle}\`.`);
      return;
    }
    try {
      await this.#postStatus(id, state, info);
    } catch (error) {
      // Thrown, not only logged: the caller warns, and a status that did not land is sent
      // again (the action's hard deadline marks every record still open).
      if (isPermissionDenied(error) && this.#denied === undefined) this.#denied = error;
      throw toGitHubError(error, { action: `mark deployment ${handle} \`${state}\``, permission: PERMISSION });
    }
    const record = this.#records.get(handle);
    if (state === "success" && record?.production) await this.#supersede(record.environment, id, record.earlier);
  }

  /** Before anything is deployed: a token without `deployments: write` fails the run here. */
  async prepare(signal: AbortSignal): Promise<void> {
    await this.checkPermission("production", signal);
  }

  /**
   * Throws a `GitHubError` naming `deployments: write` when the token cannot create records.
   * Uses an earlier refusal when there was one; otherwise asks GitHub for a deployment of a
   * commit that cannot exist, which GitHub refuses with 403 without the permission and with
   * 422 (nothing created) with it.
   */
  async checkPermission(environment = "production", signal?: AbortSignal): Promise<void> {
    const action = `record deployments to ${environment}`;
    if (this.#denied !== undefined) throw withoutRecords(toGitHubError(this.#denied, { action, permission: PERMISSION }));
    const { client, owner, repo, logger } = this.#options;
    try {
      const response = await client.rest.repos.createDeployment({
        owner,
        repo,
        ref: NULL_SHA,
        environment,
        auto_merge: false,
        required_contexts: [],
        transient_environment: true,
        description: "shipline permission check",
        request: { signal },
      });
      logger.debug(`Deployment permission check answered HTTP ${response.status}.`);
    } catch (error) {
      if (signal?.aborted) throw error;
      const status = httpStatus(error);
      if (status === 401 || isPermissionDenied(error)) throw withoutRecords(toGitHubError(error, { action, permission: PERMISSION }));
      logger.debug(`Deployment permission check answered HTTP ${status ?? "?"}: the token may create deployments.`);
    }
  }

  async #postStatus(id: number, state: DeploymentState, info: { environmentUrl?: string; description?: string }) {
    const { client, owner, repo, logUrl } = this.#options;
    await client.rest.repos.createDeploymentStatus({
      owner,
      repo,
      deployment_id: id,
      state,
      ...(logUrl ? { log_url: logUrl } : {}),
      ...(info.environmentUrl ? { environment_url: info.environmentUrl } : {}),
      ...(info.description ? { description: truncateDescription(info.description) } : {}),
      // GitHub retires older non-production records itself; production ones are retired in #supersede.
      auto_inactive: true,
    });
  }

  /**
   * GitHub never marks production deployments inactive on its own, so without this every
   * release (and the version a rollback restored) would stay "active" side by side. Only
   * records whose latest state is `success` are retired: a rolled-back one keeps `failure`.
   * `prefetched`: the earlier records as read when this one was created; read again if that failed.
   */
  async #supersede(environment: string, activeId: number, prefetched?: Promise<EarlierRecords>): Promise<void> {
    try {
      const early = await prefetched?.catch(() => undefined);
      const earlier = early && !early.failed ? early : await this.#readEarlier(environment, activeId);
      for (const id of earlier.successful) {
        await this.#postStatus(id, "inactive", { description: `Superseded by deployment ${activeId}` });
      }
      // A record whose status could not be read is left as it is; the others were still retired.
      if (earlier.failed) throw earlier.failed.reason;
    } catch (error) {
      this.#warn(`mark earlier ${environment} deployments inactive`, error);
    }
  }

  /**
   * The environment's records before `activeId` whose latest status is `success`. Their
   * statuses are read at once (at most `supersedeLookback` requests), not one round trip each.
   */
  async #readEarlier(environment: string, activeId: number): Promise<EarlierRecords> {
    const { client, owner, repo, supersedeLookback } = this.#options;
    const { data: deployments } = await client.rest.repos.listDeployments({
      owner,
      repo,
      environment,
      per_page: supersedeLookback ?? 10,
    });
    const latest = await Promise.allSettled(
      deployments
        .filter((deployment) => deployment.id < activeId)
        .map(async (deployment) => {
          const { data: statuses } = await client.rest.repos.listDeploymentStatuses({
            owner,
            repo,
            deployment_id: deployment.id,
            per_page: 1,
          });
          return { id: deployment.id, state: statuses[0]?.state };
        }),
    );
    const successful = latest.flatMap((read) => (read.status === "fulfilled" && read.value.state === "success" ? [read.value.id] : []));
    const failed = latest.find((read): read is PromiseRejectedResult => read.status === "rejected");
    return { successful, ...(failed ? { failed } : {}) };
  }

  #warn(action: string, error: unknown): void {
    if (isPermissionDenied(error) && this.#denied === undefined) this.#denied = error;
    const message = toGitHubError(error, { action, permission: PERMISSION }).message;
    this.#options.logger.warn(`${message} (the deploy goes on without it)`);
  }
}

/** The permission error, with the other way out: running without Deployment records. */
function withoutRecords(error: GitHubError): GitHubError {
  return new GitHubError(`${error.message}; or set \`deployment-records: false\` to run without Deployment records`, {
    cause: error.cause ?? error,
    ...(error.status !== undefined ? { status: error.status } : {}),
  });
}

/** Earlier records of an environment that are still `success`, and the first status read that failed. */
interface EarlierRecords {
  readonly successful: readonly number[];
  readonly failed?: PromiseRejectedResult;
}
