// The pieces of the job runner on their own: how an exit becomes a job state, the CLI's command
// line per kind, reading its command list, splitting output into lines, the machine-wide lock
// files and the queue.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { cliArguments, parseHelpCommands } from '../../../server/jobs/cli-commands';
import { jobOutcome } from '../../../server/jobs/job-outcome';
import { JobScheduler } from '../../../server/jobs/job-scheduler';
import { onLines } from '../../../server/jobs/line-reader';
import { MachineSlots, type SlotLease, type Slots, tryLock } from '../../../server/jobs/machine-slots';
import { newSlotsDir } from './job-test-helpers';

describe('job outcome', () => {
  const end = (state: 'completed' | 'cancelled' | 'failed', message?: string) => ({ type: 'end' as const, step: 7, epoch: 0.5, time: 0, state, ...(message && { message }) });

  it('exit 0 is completed; exit 130 after a cancel is cancelled with a checkpoint', () => {
    assert.deepEqual(jobOutcome({ exit: { code: 0, signal: null }, end: end('completed'), cancelRequested: false }), { state: 'completed' });
    const cancelled = jobOutcome({ exit: { code: 130, signal: null }, end: end('cancelled'), cancelRequested: true });
    assert.equal(cancelled.state, 'cancelled');
    assert.match(cancelled.message ?? '', /at step 7; a checkpoint was saved/);
  });

  it('a failed end event, a non-zero exit or a signal is failed, with the last error line', () => {
    assert.deepEqual(jobOutcome({ exit: { code: 1, signal: null }, end: end('failed', 'the loss became NaN at step 8'), cancelRequested: false }), {
      state: 'failed',
      message: 'the loss became NaN at step 8',
    });
    assert.deepEqual(jobOutcome({ exit: { code: 2, signal: null }, cancelRequested: false, lastErrorLine: 'octet: manifest not found' }), {
      state: 'failed',
      message: 'the job process exited with code 2: octet: manifest not found',
    });
    assert.deepEqual(jobOutcome({ exit: { code: null, signal: 'SIGKILL' }, cancelRequested: false }), { state: 'failed', message: 'the job process was killed by SIGKILL' });
    assert.equal(jobOutcome({ exit: { code: 130, signal: null }, cancelRequested: false }).state, 'failed', '130 without a cancel (a Ctrl-C from elsewhere) and no end event');
  });

  it('a kill after a cancel that was not honoured in time is cancelled, not a crash', () => {
    const o = jobOutcome({ exit: { code: null, signal: 'SIGKILL' }, cancelRequested: true });
    assert.equal(o.state, 'cancelled');
    assert.match(o.message ?? '', /SIGKILL after it did not exit in time/);
  });
});

describe('CLI command lines', () => {
  it('passes the manifest as one argument, never through a shell', () => {
    const weird = '/tmp/a dir/$(rm -rf ~); `x`/octet.json';
    assert.deepEqual(cliArguments('train', weird), ['train', weird, '--json']);
    assert.deepEqual(cliArguments('train', '/p/octet.json', { resume: true, threads: 4 }), ['train', '/p/octet.json', '--json', '--resume', '--threads', '4']);
    assert.deepEqual(cliArguments('profile', '/p/octet.json', { resume: true }), ['profile', '/p/octet.json', '--json'], 'resume is for train only');
  });

  it('reads the command list from the CLI help', () => {
    const help = spawnSync(process.execPath, [path.resolve(__dirname, '../../../../dist/cli.js'), '--help'], { encoding: 'utf8' }).stdout;
    const commands = parseHelpCommands(help);
    for (const c of ['train', 'eval', 'predict', 'bench', 'help']) assert.ok(commands.has(c), `${c} in ${[...commands].join(', ')}`);
    assert.ok(!commands.has('bench-train-one'), 'hidden commands are not listed');
    assert.deepEqual([...parseHelpCommands('Usage: x\n\nCommands:\n  a [opts]   does a\n              more about a\n  b-c        does b\n\nExamples:\n  x a\n')], ['a', 'b-c']);
    assert.equal(parseHelpCommands('no commands here').size, 0);
  });
});

describe('line reader', () => {
  it('splits chunks into lines, even inside a UTF-8 character, and flushes the last line', async () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    onLines(stream, (l) => lines.push(l));
    const bytes = Buffer.from('{"a":"é"}\r\nsecond\nthird without newline', 'utf8');
    for (let i = 0; i < bytes.length; i += 3) stream.write(bytes.subarray(i, i + 3));
    stream.end();
    await new Promise((r) => stream.on('end', r));
    assert.deepEqual(lines, ['{"a":"é"}', 'second', 'third without newline']);
  });
});

describe('machine slots', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const slots = (limit: number): [MachineSlots, string] => {
    const dir = newSlotsDir();
    dirs.push(dir);
    return [new MachineSlots(dir, () => limit), dir];
  };

  it('gives out `limit` slots, one per manifest, and takes them back on release', () => {
    const [one] = slots(1);
    const a = one.tryAcquire('/p/a/octet.json');
    assert.ok(a);
    assert.equal(one.tryAcquire('/p/b/octet.json'), undefined, 'no second slot');
    a.release();
    a.release();
    const b = one.tryAcquire('/p/b/octet.json');
    assert.ok(b, 'free again after release');
    b.release();

    const [two] = slots(2);
    const x = two.tryAcquire('/p/a/octet.json');
    assert.equal(two.tryAcquire('/p/a/octet.json'), undefined, 'the same manifest never twice');
    const y = two.tryAcquire('/p/b/octet.json');
    assert.ok(x && y);
    assert.equal(two.tryAcquire('/p/c/octet.json'), undefined);
    x.release();
    y.release();
  });

  it('takes over a lock whose process is gone, not one whose process lives', () => {
    const [one, dir] = slots(1);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    fs.writeFileSync(path.join(dir, 'slot-0.lock'), `${dead}\n`);
    const lease = one.tryAcquire('/p/a/octet.json');
    assert.ok(lease, 'the stale lock of a dead process is taken over');
    assert.equal(fs.readFileSync(path.join(dir, 'slot-0.lock'), 'utf8'), `${process.pid}\n`);
    lease.release();
    fs.writeFileSync(path.join(dir, 'slot-0.lock'), `${process.ppid}\n`);
    assert.equal(one.tryAcquire('/p/a/octet.json'), undefined, 'a live process keeps its lock');
    assert.equal(tryLock(path.join(dir, 'slot-0.lock')), undefined);
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('manifest-')), [], 'the manifest lock was given back');
  });
});

describe('job scheduler', () => {
  class CountingSlots implements Slots {
    held = 0;
    constructor(private readonly limit: number) {}
    tryAcquire(): SlotLease | undefined {
      if (this.held >= this.limit) return undefined;
      this.held++;
      return { release: () => void this.held-- };
    }
  }
  const deferred = (): { promise: Promise<void>; resolve: () => void } => {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  };

  it('runs first come first served, one per key, within the slots', async () => {
    const slots = new CountingSlots(2);
    const started: string[] = [];
    const finishers = new Map<string, () => void>();
    const scheduler = new JobScheduler<{ key: string; name: string }>(
      slots,
      (item) => {
        started.push(item.name);
        const d = deferred();
        finishers.set(item.name, d.resolve);
        return d.promise;
      },
      (_item, e) => assert.fail(String(e)),
      10_000,
    );
    scheduler.enqueue({ key: 'A', name: 'a1' });
    scheduler.enqueue({ key: 'A', name: 'a2' });
    scheduler.enqueue({ key: 'B', name: 'b1' });
    scheduler.enqueue({ key: 'C', name: 'c1' });
    assert.deepEqual(started, ['a1', 'b1'], 'a2 waits for a1, c1 for a slot');
    finishers.get('a1')!();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, ['a1', 'b1', 'a2'], 'the oldest waiting job that can run runs first');
    const c1 = { key: 'C', name: 'c1' };
    assert.equal(scheduler.remove(c1), false, 'remove takes the very object');
    finishers.get('b1')!();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, ['a1', 'b1', 'a2', 'c1']);
    finishers.get('a2')!();
    finishers.get('c1')!();
    await new Promise((r) => setImmediate(r));
    assert.equal(slots.held, 0, 'every lease was released');
    scheduler.dispose();
  });

  it('reports a job whose start throws and goes on with the next', async () => {
    const errors: string[] = [];
    const ran: string[] = [];
    const scheduler = new JobScheduler<{ key: string; name: string }>(
      new CountingSlots(1),
      (item) => {
        if (item.name === 'bad') throw new Error('cannot create the log folder');
        ran.push(item.name);
        return Promise.resolve();
      },
      (item, e) => errors.push(`${item.name}: ${(e as Error).message}`),
    );
    scheduler.enqueue({ key: 'A', name: 'bad' });
    scheduler.enqueue({ key: 'B', name: 'good' });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(errors, ['bad: cannot create the log folder']);
    assert.deepEqual(ran, ['good']);
    scheduler.dispose();
  });

  it('looks again while a job waits on a lock held elsewhere', async () => {
    let free = false;
    const ran: string[] = [];
    const scheduler = new JobScheduler<{ key: string }>(
      { tryAcquire: () => (free ? { release: () => undefined } : undefined) },
      (item) => {
        ran.push(item.key);
        return Promise.resolve();
      },
      () => assert.fail(),
      20,
    );
    scheduler.enqueue({ key: 'A' });
    assert.equal(scheduler.waitingCount, 1);
    free = true;
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(ran, ['A']);
    scheduler.dispose();
  });
});
