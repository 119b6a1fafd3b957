// The one table of EventSource types: each name from api/extension-points.ts maps to
// its implementation, so a name without an entry (or an entry without a name) does not
// compile.
import { type GenericWebhookEventSource, type GithubEventSource, type GitlabEventSource, SOURCE_TYPE_NAMES, isSourceType, type SourceTypeName } from "../api/index.js";
import { bitbucketType, type BitbucketEventSource } from "./bitbucket.js";
import { bitbucketServerType, type BitbucketServerEventSource } from "./bitbucketserver.js";
import { githubType } from "./github.js";
import { gitlabType } from "./gitlab.js";
import type { SourceTypeEntry } from "./source-type.js";
import { webhookType } from "./webhook.js";

/** The spec type of each source type's entries. */
export interface SourceSpecs {
  github: GithubEventSource;
  gitlab: GitlabEventSource;
  bitbucket: BitbucketEventSource;
  bitbucketserver: BitbucketServerEventSource;
  webhook: GenericWebhookEventSource;
}

export const SOURCE_TYPES: { readonly [K in SourceTypeName]: SourceTypeEntry<SourceSpecs[K]> } = {
  github: githubType,
  gitlab: gitlabType,
  bitbucket: bitbucketType,
  bitbucketserver: bitbucketServerType,
  webhook: webhookType,
};

export { SOURCE_TYPE_NAMES, isSourceType };
