// `trigger-gateway send URL FILE --provider github|gitlab|bitbucket|bitbucketserver|webhook --event NAME [--secret S | --secret-file F]`
import { Option, type Command } from "commander";
import type { Provider } from "../commands/send.js";
import { SOURCE_TYPE_NAMES } from "../api/extension-points.js";
import { EXIT_FAILED, EXIT_OK, reportUsageErrors } from "./exit-codes.js";
import { provider } from "./values.js";

interface SendFlags {
  provider: Provider;
  event?: string;
  secret?: string;
  secretFile?: string;
}

export function defineSend(program: Command): Command {
  const cmd = program
    .command("send")
    .summary("post a payload signed the way the provider signs it; print the status")
    .description(
      "Post FILE to URL with the headers the provider sends, signed (GitHub, Bitbucket Server: HMAC), tokened (GitLab) or bearer-authenticated (Bitbucket, generic webhook) as it would be, and print the status and the body. Exits 1 unless the status is 2xx.",
    )
    .usage("URL FILE [--provider github|gitlab|bitbucket|bitbucketserver|webhook] [--event NAME] [--secret S | --secret-file F]")
    .argument("<url>", "where to post, e.g. a URL the banner of serve printed")
    .argument("<file>", "the payload")
    .addOption(new Option("--provider <provider>", SOURCE_TYPE_NAMES.join(", ")).default("webhook", "webhook").argParser(provider))
    .option("--event <name>", "the provider's event name (X-GitHub-Event, X-Gitlab-Event, X-Event-Key)")
    .option("--secret <secret>", "the webhook secret or token")
    .option("--secret-file <file>", "read the secret from a file (one trailing newline trimmed); wins over --secret")
    .action(async (url: string, file: string, flags: SendFlags) => {
      const { readFile } = await import("node:fs/promises");
      const { send, readSecretFile } = await import("../commands/send.js");
      const secret = flags.secretFile ? await readSecretFile(flags.secretFile) : flags.secret;
      const res = await send({ url, provider: flags.provider, event: flags.event ?? "", secret, body: await readFile(file) });
      process.stdout.write(`${res.status} ${res.body}\n`);
      process.exitCode = res.status >= 200 && res.status < 300 ? EXIT_OK : EXIT_FAILED;
    });
  return reportUsageErrors(cmd);
}
