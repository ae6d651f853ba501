// The CLI command line of each job kind, and which kinds this build's CLI can run. The daemon
// never builds a shell command: the manifest path is one element of an argument array.
import { execFile } from 'node:child_process';
import type { JobKind, StartJobOptions } from '../protocol';

const COMMAND_OF_KIND: Readonly<Record<JobKind, string>> = { train: 'train', compare: 'compare', profile: 'profile' };

export interface CliArgumentOptions extends StartJobOptions {
  threads?: number;
}

/** Arguments after `node cli.js` for a job: `<command> <manifest> --json [--resume] [--threads N]`. */
export function cliArguments(kind: JobKind, manifestPath: string, options: CliArgumentOptions = {}): string[] {
  const args = [COMMAND_OF_KIND[kind], manifestPath, '--json'];
  if (kind === 'train' && options.resume === true) args.push('--resume');
  if (options.threads !== undefined) args.push('--threads', String(options.threads));
  return args;
}

export function cliCommandOf(kind: JobKind): string {
  return COMMAND_OF_KIND[kind];
}

/** The commands listed by `node cli.js --help` (commander's "Commands:" section). */
export function parseHelpCommands(help: string): Set<string> {
  const commands = new Set<string>();
  const section = help.split(/^Commands:\s*$/m)[1];
  if (section === undefined) return commands;
  for (const line of section.split('\n')) {
    const match = /^ {2}([a-z][\w-]*)/.exec(line);
    if (match !== null) commands.add(match[1]);
    else if (line.trim() !== '' && !line.startsWith(' ')) break;
  }
  return commands;
}

/** Asks the CLI once which commands it has; a failure to ask means "unknown", retried next time. */
export class CliCommandList {
  private listing: Promise<Set<string>> | undefined;

  constructor(private readonly cliPath: string) {}

  async has(command: string): Promise<boolean> {
    this.listing ??= new Promise<Set<string>>((resolve, reject) => {
      execFile(process.execPath, [this.cliPath, '--help'], { timeout: 30_000, maxBuffer: 1 << 20 }, (error, stdout) => {
        if (error !== null) reject(new Error(`cannot run ${this.cliPath}: ${error.message}`));
        else resolve(parseHelpCommands(stdout));
      });
    });
    try {
      return (await this.listing).has(command);
    } catch (e) {
      this.listing = undefined;
      throw e;
    }
  }
}
