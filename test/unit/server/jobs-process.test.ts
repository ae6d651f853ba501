// The job's child process and the job manager against stand-in CLIs (small node scripts): events
// read from stdout, stderr to the log, a crash by signal, a job that ignores SIGINT killed after
// the grace period, and a kind the CLI cannot run refused up front.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { JobManager } from '../../../server/jobs/job-manager';
import { JobProcess } from '../../../server/jobs/job-process';
import type { JobEventParams, JobStateParams } from '../../../server/protocol';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octet-fake-cli-'));

/** A stand-in for dist/cli.js: `--help` lists `commands`; any other call runs `body`. */
function fakeCli(name: string, body: string, commands = ['train']): string {
  const file = path.join(dir, `${name}.js`);
  const help = `Usage: octet\\n\\nCommands:\\n${commands.map((c) => `  ${c} [options] <manifest>  does ${c}\\n`).join('')}`;
  fs.writeFileSync(file, `if (process.argv[2] === '--help') { process.stdout.write("${help}"); process.exit(0); }\n${body}\n`);
  return file;
}

const EMIT_AND_EXIT = `
const emit = (e) => process.stdout.write(JSON.stringify(e) + '\\n');
emit({ type: 'start', step: 0, epoch: 0, time: 1, totalSteps: 2, mode: 'int8', task: 'classification', resumedFrom: null, trainExamples: 4, evalExamples: 0, truncated: 0 });
process.stdout.write('not json\\n');
console.error('a warning on stderr');
emit({ type: 'train', step: 1, epoch: 0.5, time: 2, loss: 0.7, learningRate: 0.001, gradNorm: 1, tokensPerSecond: 100, etaMs: 10 });
emit({ type: 'end', step: 2, epoch: 1, time: 3, state: 'completed', metrics: { f1: 0.5 } });
`;
const CRASH_BY_SIGNAL = `console.error('about to crash'); process.kill(process.pid, 'SIGKILL');`;
const IGNORE_SIGINT = `process.on('SIGINT', () => console.error('not stopping')); process.stdout.write('{"type":"train","step":1}\\n'); setInterval(() => {}, 1000);`;

describe('job process', () => {
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('passes JSON lines on, writes stderr and other output to the log', async () => {
    const out: Record<string, unknown>[] = [];
    const logPath = path.join(dir, 'logs', 'a.log');
    const proc = new JobProcess({ cliPath: fakeCli('emit', EMIT_AND_EXIT), args: ['train', 'x y/octet.json', '--json'], cwd: dir, logPath, onOutput: (v) => out.push(v), killGraceMs: 1000 });
    assert.deepEqual(await proc.exited, { code: 0, signal: null });
    assert.deepEqual(out.map((e) => e.type), ['start', 'train', 'end']);
    const log = fs.readFileSync(logPath, 'utf8');
    assert.match(log, /^# \S+ \S+ \S+emit\.js train "x y\/octet\.json" --json$/m);
    assert.match(log, /^a warning on stderr$/m);
    assert.match(log, /^stdout: not json$/m);
    assert.match(log, /^# exited with code 0 at /m);
    assert.equal(proc.lastErrorLine, 'a warning on stderr');
  });

  it('reports a crash by signal', async () => {
    const proc = new JobProcess({ cliPath: fakeCli('crash', CRASH_BY_SIGNAL), args: [], cwd: dir, logPath: path.join(dir, 'crash.log'), onOutput: () => undefined, killGraceMs: 1000 });
    assert.deepEqual(await proc.exited, { code: null, signal: 'SIGKILL' });
    assert.equal(proc.lastErrorLine, 'about to crash');
  });

  it('kills a job that ignores SIGINT once the grace period is over', async () => {
    let resolveFirst!: () => void;
    const first = new Promise<void>((r) => (resolveFirst = r));
    const proc = new JobProcess({ cliPath: fakeCli('stubborn', IGNORE_SIGINT), args: [], cwd: dir, logPath: path.join(dir, 'stubborn.log'), onOutput: () => resolveFirst(), killGraceMs: 300 });
    await first;
    const t0 = Date.now();
    proc.interrupt();
    assert.deepEqual(await proc.exited, { code: null, signal: 'SIGKILL' });
    assert.ok(Date.now() - t0 >= 250, 'not before the grace period');
    const log = fs.readFileSync(path.join(dir, 'stubborn.log'), 'utf8');
    assert.match(log, /# cancel requested at .*\n(.*\n)*not stopping\n(.*\n)*# killed at /);
  });
});

describe('job manager with a stand-in CLI', () => {
  const manifest = path.join(dir, 'project', 'octet.json');
  const manager = (cli: string, notes: { states: JobStateParams[]; events: JobEventParams[] }): JobManager =>
    new JobManager({
      cliPath: cli,
      slots: { tryAcquire: () => ({ release: () => undefined }) },
      threads: () => 3,
      onEvent: (e) => notes.events.push(e),
      onState: (s) => notes.states.push(s),
      killGraceMs: 300,
      fallbackLogDir: path.join(dir, 'fallback-logs'),
    });
  const until = async (condition: () => boolean): Promise<void> => {
    for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(condition(), 'timed out');
  };

  it('logs to a temp folder when the manifest cannot be read, passes --threads, and fails a crashed job with its log', async () => {
    fs.mkdirSync(path.dirname(manifest), { recursive: true });
    fs.writeFileSync(manifest, '{ not json');
    const argsFile = path.join(dir, 'args.json');
    const cli = fakeCli('record-args', `require('fs').writeFileSync(${JSON.stringify(argsFile)}, JSON.stringify(process.argv.slice(2))); ${CRASH_BY_SIGNAL}`);
    const notes = { states: [] as JobStateParams[], events: [] as JobEventParams[] };
    const jobs = manager(cli, notes);
    const result = await jobs.start({ manifestUri: pathToFileURL(manifest).href, kind: 'train' });
    assert.equal(result.runFolder, undefined);
    assert.ok(result.logPath.startsWith(path.join(dir, 'fallback-logs')), result.logPath);
    await until(() => notes.states.some((s) => s.state === 'failed'));
    const failed = notes.states.find((s) => s.state === 'failed')!;
    assert.equal(failed.message, 'the job process was killed by SIGKILL: about to crash');
    assert.equal(failed.logPath, result.logPath);
    assert.match(fs.readFileSync(result.logPath, 'utf8'), /about to crash/);
    assert.deepEqual(JSON.parse(fs.readFileSync(argsFile, 'utf8')), ['train', manifest, '--json', '--threads', '3']);
  });

  it('refuses a kind the CLI has no command for, before queueing anything', async () => {
    const notes = { states: [] as JobStateParams[], events: [] as JobEventParams[] };
    const jobs = manager(fakeCli('train-only', EMIT_AND_EXIT, ['train', 'eval']), notes);
    await assert.rejects(jobs.start({ manifestUri: pathToFileURL(manifest).href, kind: 'profile' }), /cannot run profile jobs: its CLI has no "profile" command yet/);
    await assert.rejects(jobs.start({ manifestUri: pathToFileURL(manifest).href, kind: 'compare' }), /no "compare" command/);
    assert.deepEqual(notes.states, []);
    assert.deepEqual(jobs.list(), []);
  });

  it('cancel of a job that ignores SIGINT ends cancelled after the grace period; dispose is quick when nothing runs', async () => {
    const notes = { states: [] as JobStateParams[], events: [] as JobEventParams[] };
    const jobs = manager(fakeCli('stubborn2', IGNORE_SIGINT), notes);
    const { jobId } = await jobs.start({ manifestUri: pathToFileURL(manifest).href, kind: 'train' });
    await until(() => notes.events.length > 0);
    assert.equal(jobs.get(jobId)?.step, 1);
    assert.equal(jobs.cancel(jobId), true);
    await until(() => notes.states.some((s) => s.state === 'cancelled'));
    assert.match(notes.states.at(-1)?.message ?? '', /SIGKILL/);
    assert.equal(jobs.cancel(jobId), false);
    const t0 = Date.now();
    await jobs.dispose(5000);
    assert.ok(Date.now() - t0 < 1000);
  });

  it('passes a profile job\'s result object on, and with its final state', async () => {
    fs.writeFileSync(manifest, '{ not json');
    const notes = { states: [] as JobStateParams[], events: [] as JobEventParams[] };
    const results: Record<string, unknown>[] = [];
    const profile = { format: 'octet-activation-profile', layers: [{ name: 'classifier', verdict: 'clean' }] };
    const jobs = new JobManager({
      cliPath: fakeCli('profile', `console.error('profiled batch 1/1'); process.stdout.write(JSON.stringify(${JSON.stringify(profile)}) + '\\n');`, ['train', 'profile']),
      slots: { tryAcquire: () => ({ release: () => undefined }) },
      threads: () => undefined,
      onEvent: (e) => notes.events.push(e),
      onState: (st) => notes.states.push(st),
      onResult: (_job, r) => results.push(r),
      fallbackLogDir: path.join(dir, 'fallback-logs'),
    });
    const { jobId } = await jobs.start({ manifestUri: pathToFileURL(manifest).href, kind: 'profile' });
    await until(() => notes.states.some((st) => st.state === 'completed'));
    assert.deepEqual(results, [profile]);
    assert.deepEqual(notes.events, [], 'a result is not an event');
    assert.deepEqual(notes.states.at(-1), { jobId, state: 'completed', logPath: notes.states[0].logPath, manifestUri: pathToFileURL(manifest).href, kind: 'profile', result: profile });
  });
});
