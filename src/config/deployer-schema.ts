/**
 * The config file's `deployer` section (SPEC section 7): which deployer releases the project,
 * and for `kind: command` the user's commands (see src/providers/command). Shapes only; what
 * the commands may be and what they allow is checked by deployer.ts.
 */
import * as z from "zod";

const command = (description: string) =>
  z
    .union([z.string(), z.array(z.string()).min(1)], { error: "expected a command line, or a list of a program and its arguments" })
    .meta({
      description: `${description} Runs in working-directory; a line is split into words (no shell unless \`shell: true\`). Prints one JSON document (schema/command-deployer.schema.json).`,
    })
    .optional();

/** `deployer:` in the config file. */
export const deployerSchema = z
  .strictObject(
    {
      kind: z
        .enum(["wrangler", "command"], { error: "expected one of wrangler, command" })
        .meta({
          description: "`wrangler` (Cloudflare Workers, the default) or `command` (the commands below).",
        })
        .optional(),
      deploy: command("Deploys the release to SHIPLINE_ENVIRONMENT at 100% and prints a version document."),
      status: command("Prints a status document: what SHIPLINE_ENVIRONMENT serves, and optionally its deployments and versions."),
      restore: command("Serves SHIPLINE_TARGET_VERSION at 100% again and prints a status document."),
      upload: command("For `gradual`: makes the release available without traffic and prints a version document."),
      shift: command("For `gradual`: routes traffic as SHIPLINE_ALLOCATION (JSON) says and prints a status document."),
      versions: command("Prints a status document whose `versions` list what can be restored. Default: `status`."),
      shell: z
        .boolean({ error: "expected true or false" })
        .meta({ description: "Run the command lines through the shell. Default: false." })
        .optional(),
      timeout: z
        .string({ error: "expected a duration such as 250ms, 10s, 2m or 1h" })
        .meta({ description: "Time each command may take before it is stopped. Default: 10m." })
        .optional(),
    },
    { error: "a mapping with the keys kind, deploy, status, restore, upload, shift, versions, shell, timeout" },
  )
  .meta({ description: "What deploys the project: wrangler (the default), or the user's commands for hosts that are not Workers." });
