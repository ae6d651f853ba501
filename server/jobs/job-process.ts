// One job's child process: `node cli.js <args>` with an argument array (no shell), stdout read as
// JSON lines of events, stderr appended to the job's log file. A native crash or out-of-memory
// kill takes down this process only, never the daemon. Cancel = SIGINT (the CLI saves a
// checkpoint and exits 130), then SIGKILL if it has not exited after the grace period.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { withHugePageMalloc } from '../../engine/perf/allocator-env';
import type { ChildExit } from './job-outcome';
import { onLines } from './line-reader';

export interface JobProcessOptions {
  cliPath: string;
  args: string[];
  cwd: string;
  logPath: string;
  /** Each JSON object the job prints on stdout. */
  onOutput(value: Record<string, unknown>): void;
  /** Milliseconds between SIGINT and SIGKILL on cancel. */
  killGraceMs: number;
  /**
   * Niceness of the job process (0 = the daemon's). The default, 10, lets the editor and the
   * daemon's answers go first when the job keeps every core busy; the job still gets all idle CPU.
   */
  niceness?: number;
}

export const JOB_NICENESS = 10;

export class JobProcess {
  /** Settles when the process has exited and its log is flushed. */
  readonly exited: Promise<ChildExit>;
  private readonly child: ChildProcess;
  private readonly log: WriteStream;
  private lastStderrLine: string | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private hasExited = false;

  constructor(private readonly options: JobProcessOptions) {
    mkdirSync(path.dirname(options.logPath), { recursive: true });
    this.log = createWriteStream(options.logPath, { flags: 'a' });
    this.log.on('error', () => undefined); // A log that cannot be written must not crash the daemon.
    this.log.write(`# ${new Date().toISOString()} ${path.basename(process.execPath)} ${[options.cliPath, ...options.args].map(quoteForLog).join(' ')}\n`);
    this.child = spawn(process.execPath, [options.cliPath, ...options.args], {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Training copies hundreds of MB of onnxruntime outputs a step: huge pages (allocator-env.ts).
      env: withHugePageMalloc(),
      shell: false,
      windowsHide: true,
    });
    this.lowerPriority(options.niceness ?? JOB_NICENESS);
    onLines(this.child.stdout!, (line) => this.onStdoutLine(line));
    onLines(this.child.stderr!, (line) => {
      this.log.write(line + '\n');
      if (line.trim() !== '') this.lastStderrLine = line.trim();
    });
    this.exited = new Promise<ChildExit>((resolve) => {
      let spawnError: Error | undefined;
      this.child.on('error', (e) => {
        spawnError = e;
        this.log.write(`# could not start the job: ${e.message}\n`);
      });
      this.child.on('close', (code, signal) => {
        this.hasExited = true;
        clearTimeout(this.killTimer);
        if (spawnError !== undefined) this.lastStderrLine = spawnError.message;
        const exit = { code: spawnError !== undefined ? -1 : code, signal };
        if (this.log.errored !== null || this.log.destroyed) resolve(exit);
        else this.log.end(`# exited${code !== null ? ` with code ${code}` : ''}${signal !== null ? ` by ${signal}` : ''} at ${new Date().toISOString()}\n`, () => resolve(exit));
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The last non-empty line of stderr, usually the error that ended a failed job. */
  get lastErrorLine(): string | undefined {
    return this.lastStderrLine;
  }

  /** Asks the job to stop (SIGINT: checkpoint, then exit); kills it if it is still there after the grace period. */
  interrupt(): void {
    if (this.hasExited) return;
    this.log.write(`# cancel requested at ${new Date().toISOString()}\n`);
    this.child.kill('SIGINT');
    if (this.killTimer === undefined) {
      this.killTimer = setTimeout(() => this.kill(), this.options.killGraceMs);
      this.killTimer.unref();
    }
  }

  kill(): void {
    if (this.hasExited) return;
    this.log.write(`# killed at ${new Date().toISOString()}\n`);
    this.child.kill('SIGKILL');
  }

  /** Set right after spawn, so the threads the job starts later (onnxruntime's pool) inherit it. */
  private lowerPriority(niceness: number): void {
    if (niceness === 0 || this.child.pid === undefined) return;
    try {
      os.setPriority(this.child.pid, Math.min(19, os.getPriority(this.child.pid) + niceness));
    } catch (e) {
      this.log.write(`# could not lower the job's priority: ${(e as Error).message}\n`);
    }
  }

  private onStdoutLine(line: string): void {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) this.options.onOutput(value as Record<string, unknown>);
    else this.log.write(`stdout: ${line}\n`);
  }
}

function quoteForLog(arg: string): string {
  return /^[\w./:=@-]+$/.test(arg) ? arg : JSON.stringify(arg);
}
