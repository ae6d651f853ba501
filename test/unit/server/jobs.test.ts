// Jobs through the built daemon: a fine-tune streamed to its end, cancel and resume, a crashing
// job, the daemon answering while a job runs, queueing, shutdown, past runs. Real JSON-RPC over
// stdio; the jobs are real `octet train` child processes on a tiny model.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { RunFolder } from '../../../engine/train/run-folder';
import type { ListJobsResult } from '../../../server/protocol';
import type { TinyProject } from '../../helpers/tiny-project';
import { ended, events, JOB_TIMEOUT_MS, manifestUri, newSlotsDir, startJob, startServer, states, trainingProject } from './job-test-helpers';
import type { LspTestClient, ProgressNotification } from './lsp-test-client';

describe('jobs in the daemon', { timeout: 5 * JOB_TIMEOUT_MS }, () => {
  const clients: LspTestClient[] = [];
  const projects: TinyProject[] = [];
  const slotsDir = newSlotsDir();
  const server = async (options: Parameters<typeof startServer>[1] = {}, slots = slotsDir): Promise<LspTestClient> => {
    const client = await startServer(slots, options);
    clients.push(client);
    return client;
  };
  const project = async (epochs?: number): Promise<TinyProject> => {
    const p = await trainingProject(epochs);
    projects.push(p);
    return p;
  };

  after(async () => {
    for (const c of clients) await c.stop();
    for (const p of projects) fs.rmSync(p.dir, { recursive: true, force: true });
    fs.rmSync(slotsDir, { recursive: true, force: true });
  });

  it('runs a fine-tune to its end, streaming every event, its states and work-done progress', async () => {
    const p = await project();
    const client = await server({ workDoneProgress: true });
    const uri = manifestUri(p);
    const started = await startJob(client, uri);
    assert.equal(started.runFolder, path.join(p.dir, 'runs', 'test'));
    const final = await ended(client, started.jobId);
    assert.equal(final.state, 'completed', final.message);
    assert.deepEqual(states(client, started.jobId).map((s) => s.state), ['queued', 'running', 'completed']);

    const streamed = events(client, started.jobId);
    const onDisk = await new RunFolder(started.runFolder!).events();
    assert.deepEqual(streamed, onDisk, 'the streamed events are the ones written to metrics.jsonl');
    assert.equal(streamed[0].type, 'start');
    assert.equal(streamed.filter((e) => e.type === 'train').length, 96);
    const end = streamed.at(-1)!;
    assert.ok(end.type === 'end' && end.state === 'completed' && typeof end.metrics?.f1 === 'number', JSON.stringify(end));

    await client.waitFor(() => client.received<ProgressNotification>('$/progress').some((n) => n.value.kind === 'end'), 'the progress to end');
    const progress = client.received<ProgressNotification>('$/progress');
    assert.equal(client.progressTokens.length, 1);
    assert.ok(progress.every((n) => n.token === client.progressTokens[0]));
    assert.equal(progress[0].value.kind, 'begin');
    assert.equal(progress[0].value.cancellable, true);
    assert.match(progress[0].value.title ?? '', /fine-tuning octet\.json/);
    const reports = progress.filter((n) => n.value.kind === 'report');
    assert.ok(reports.length >= 5, `${reports.length} reports`);
    const percentages = reports.map((n) => n.value.percentage ?? -1);
    assert.deepEqual(percentages, [...percentages].sort((a, b) => a - b), 'percentages never go back');
    assert.equal(percentages.at(-1), 100);
    assert.match(reports.find((n) => n.value.message?.startsWith('step'))?.value.message ?? '', /^step \d+\/96 · loss \d\.\d{4} · ETA /);

    const listed: ListJobsResult = await client.connection.sendRequest('octet/listJobs');
    const job = listed.jobs.find((j) => j.jobId === started.jobId);
    assert.equal(job?.state, 'completed');
    assert.equal(job?.step, 96);
    assert.equal(job?.totalSteps, 96);
    assert.ok(job?.logPath && fs.existsSync(job.logPath), 'the log file exists');
    const past = listed.pastRuns.find((r) => r.runFolder === started.runFolder);
    assert.equal(past?.state, 'completed');
    assert.equal(past?.metrics?.f1, (end.type === 'end' && end.metrics?.f1) || NaN);
  });

  it('cancels a running fine-tune with a checkpoint; a resumed job (octet.fineTune with resume) finishes the run', async () => {
    const p = await project(4);
    const client = await server();
    const uri = manifestUri(p);
    const started = (await client.executeCommand('octet.fineTune', [uri])) as { jobId: string; runFolder: string };
    await client.waitFor(() => events(client, started.jobId).some((e) => e.type === 'train' && e.step >= 10), 'step 10');
    const answer: { cancelled: boolean } = await client.connection.sendRequest('octet/cancelJob', { jobId: started.jobId });
    assert.equal(answer.cancelled, true);
    const final = await ended(client, started.jobId);
    assert.equal(final.state, 'cancelled', final.message);
    assert.match(final.message ?? '', /checkpoint/);
    const stoppedAt = events(client, started.jobId).at(-1)!;
    assert.ok(stoppedAt.type === 'end' && stoppedAt.state === 'cancelled' && stoppedAt.step < 128, JSON.stringify(stoppedAt));
    const run = new RunFolder(started.runFolder);
    assert.ok(run.latestCheckpoint()?.endsWith(`step-${String(stoppedAt.step).padStart(6, '0')}`), `checkpoint at the stop: ${run.latestCheckpoint()}`);

    const listed: ListJobsResult = await client.connection.sendRequest('octet/listJobs');
    assert.equal(listed.pastRuns.find((r) => r.runFolder === started.runFolder)?.resumable, true);
    assert.deepEqual(await client.connection.sendRequest('octet/cancelJob', { jobId: started.jobId }), { cancelled: false }, 'an ended job cannot be cancelled');

    const resumed = (await client.executeCommand('octet.fineTune', [uri, { resume: true }])) as { jobId: string };
    const done = await ended(client, resumed.jobId);
    assert.equal(done.state, 'completed', done.message);
    const resumedEvents = events(client, resumed.jobId);
    const start = resumedEvents[0];
    assert.ok(start.type === 'start' && start.resumedFrom === stoppedAt.step, JSON.stringify(start));
    assert.equal(resumedEvents.filter((e) => e.type === 'train').length, 128 - stoppedAt.step);
    const end = resumedEvents.at(-1)!;
    assert.ok(end.type === 'end' && end.state === 'completed' && end.step === 128 && end.metrics !== undefined);
  });

  it('cancelling the work-done progress cancels the job', async () => {
    const p = await project(4);
    const client = await server({ workDoneProgress: true });
    const { jobId } = await startJob(client, manifestUri(p));
    await client.waitFor(() => events(client, jobId).some((e) => e.type === 'train' && e.step >= 3), 'step 3');
    await client.connection.sendNotification('window/workDoneProgress/cancel', { token: client.progressTokens[0] });
    const final = await ended(client, jobId);
    assert.equal(final.state, 'cancelled', final.message);
  });

  it('a job whose model is corrupt ends failed, with the error in its log; the daemon lives on', async () => {
    const p = await project(1);
    fs.writeFileSync(path.join(p.modelDir, 'model.safetensors'), Buffer.from('this is not a safetensors file'));
    const client = await server();
    const { jobId, logPath } = await startJob(client, manifestUri(p));
    const final = await ended(client, jobId);
    assert.equal(final.state, 'failed');
    assert.equal(final.logPath, logPath);
    assert.match(final.message ?? '', /exited with code 2: octet: .*safetensors/);
    const log = fs.readFileSync(logPath, 'utf8');
    assert.match(log, /^# .*cli\.js train .*octet\.json --json/m, 'the log starts with the command line');
    assert.match(log, /octet: .*safetensors/);
    assert.match(log, /# exited with code 2/);
    const listed: ListJobsResult = await client.connection.sendRequest('octet/listJobs');
    assert.equal(listed.jobs.find((j) => j.jobId === jobId)?.state, 'failed');
    assert.equal(await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///nowhere/octet.json' }, position: { line: 0, character: 0 } }), null);
  });

  it('a job whose data files disappear while it waits in the queue ends failed with a log', async () => {
    const [busy, p] = [await project(2), await project(1)];
    const client = await server();
    const first = await startJob(client, manifestUri(busy));
    const { jobId, state } = await startJob(client, manifestUri(p));
    assert.equal(state, 'queued', 'waits for the only slot');
    fs.rmSync(path.join(p.dir, 'data'), { recursive: true, force: true });
    const final = await ended(client, jobId);
    assert.equal(final.state, 'failed');
    assert.match(final.message ?? '', /exited with code 2: octet: .*train\.tsv/);
    assert.match(fs.readFileSync(final.logPath!, 'utf8'), /octet: .*train\.tsv/);
    assert.equal((await ended(client, first.jobId)).state, 'completed');
  });

  it('answers hover, completion and diagnostics while a job runs', async () => {
    const p = await project(6);
    const client = await server();
    const uri = manifestUri(p);
    const text = fs.readFileSync(p.manifestPath, 'utf8');
    await client.openAndSettle(uri, text);
    const { jobId } = await startJob(client, uri);
    await client.waitFor(() => events(client, jobId).some((e) => e.type === 'train'), 'the first step');
    const line = text.split('\n').findIndex((l) => l.includes('"model"'));
    let answered = 0;
    while (!states(client, jobId).some((s) => s.state !== 'queued' && s.state !== 'running') && answered < 20) {
      const t0 = performance.now();
      const hover = await client.hover(uri, { line, character: 5 });
      const completion = await client.completion(uri, { line, character: 2 });
      const diagnostics = await client.pull(uri);
      const ms = performance.now() - t0;
      assert.ok(hover !== null, 'a hover on "model"');
      assert.ok(Array.isArray(completion));
      assert.deepEqual(diagnostics, []);
      assert.ok(ms < 2000, `three requests took ${ms.toFixed(0)} ms during the job`);
      answered++;
    }
    assert.ok(answered >= 3, `only ${answered} rounds while the job ran`);
    assert.equal(states(client, jobId).at(-1)?.state, 'running', 'the job was still running');
    await client.connection.sendRequest('octet/cancelJob', { jobId });
    await ended(client, jobId);
  });

  it('runs one job at a time per manifest: a second one waits in the queue', async () => {
    const p = await project(1);
    const client = await server();
    const uri = manifestUri(p);
    const first = await startJob(client, uri);
    const second = await startJob(client, uri, 'train', { resume: true });
    assert.equal(first.state, 'running');
    assert.equal(second.state, 'queued');
    assert.equal((await ended(client, first.jobId)).state, 'completed');
    assert.equal((await ended(client, second.jobId)).state, 'completed');
    const order = client.received<{ jobId: string; state: string }>('octet/jobState').map((s) => `${s.jobId === first.jobId ? 1 : 2}:${s.state}`);
    assert.deepEqual(order.slice(order.indexOf('1:completed')), ['1:completed', '2:running', '2:completed']);
  });

  it('cancels a queued job without running it', async () => {
    const p = await project(2);
    const client = await server();
    const uri = manifestUri(p);
    const first = await startJob(client, uri);
    const second = await startJob(client, uri, 'train', { resume: true });
    assert.deepEqual(await client.connection.sendRequest('octet/cancelJob', { jobId: second.jobId }), { cancelled: true });
    const final = await ended(client, second.jobId);
    assert.equal(final.state, 'cancelled');
    assert.equal(final.message, 'cancelled before it started');
    assert.deepEqual(states(client, second.jobId).map((s) => s.state), ['queued', 'cancelled']);
    await client.connection.sendRequest('octet/cancelJob', { jobId: first.jobId });
    await ended(client, first.jobId);
  });

  it('runs one job at a time on the machine by default, across daemons', async () => {
    const slots = newSlotsDir();
    const [p1, p2] = [await project(2), await project(1)];
    const a = await server({}, slots);
    const b = await server({}, slots);
    const first = await startJob(a, manifestUri(p1));
    const second = await startJob(b, manifestUri(p2));
    assert.equal(first.state, 'running');
    assert.equal(second.state, 'queued', 'the other daemon holds the only slot');
    await a.waitFor(() => events(a, first.jobId).some((e) => e.type === 'train' && e.step >= 40), 'step 40 of the first job');
    assert.deepEqual(states(b, second.jobId).map((s) => s.state), ['queued'], 'still waiting while the first job runs');
    assert.equal((await ended(a, first.jobId)).state, 'completed');
    assert.equal((await ended(b, second.jobId)).state, 'completed');
    assert.deepEqual(states(b, second.jobId).map((s) => s.state), ['queued', 'running', 'completed']);
    fs.rmSync(slots, { recursive: true, force: true });
  });

  it('runs two jobs at once with maxConcurrentJobs 2', async () => {
    const slots = newSlotsDir();
    const [p1, p2] = [await project(1), await project(1)];
    const client = await server({ initializationOptions: { maxConcurrentJobs: 2 } }, slots);
    const first = await startJob(client, manifestUri(p1));
    const second = await startJob(client, manifestUri(p2));
    assert.deepEqual([first.state, second.state], ['running', 'running']);
    assert.equal((await ended(client, first.jobId)).state, 'completed');
    assert.equal((await ended(client, second.jobId)).state, 'completed');
    fs.rmSync(slots, { recursive: true, force: true });
  });

  it('refuses what it cannot run, with a clear message', async () => {
    const p = await project(1);
    const client = await server();
    await assert.rejects(startJob(client, 'untitled:Untitled-1'), /saved on disk/);
    await assert.rejects(startJob(client, pathToFileURL(path.join(p.dir, 'elsewhere', 'octet.json')).href), /there is no manifest at .*elsewhere/);
    await assert.rejects(startJob(client, manifestUri(p), 'dance'), /unknown job kind "dance"/);
    await assert.rejects(client.executeCommand('octet.fineTune', []), /takes the manifest's URI/);
    await assert.rejects(client.executeCommand('octet.nothing', ['x']), /unknown command/);
    assert.deepEqual((await client.connection.sendRequest<ListJobsResult>('octet/listJobs')).jobs, []);
  });

  it('a job of a run folder that already holds a run fails with the CLI\'s advice', async () => {
    const p = await project(1);
    const client = await server();
    const first = await startJob(client, manifestUri(p));
    await ended(client, first.jobId);
    const again = await startJob(client, manifestUri(p));
    const final = await ended(client, again.jobId);
    assert.equal(final.state, 'failed');
    assert.match(final.message ?? '', /pass --resume/);
  });

  it('on shutdown, a running job saves a checkpoint and stops', async () => {
    const p = await project(6);
    const client = await startServer(slotsDir);
    const started = await startJob(client, manifestUri(p));
    await client.waitFor(() => events(client, started.jobId).some((e) => e.type === 'train' && e.step >= 5), 'step 5');
    await client.stop();
    assert.ok(client.hasExited, 'the server exited');
    const run = new RunFolder(started.runFolder!);
    const onDisk = await run.events();
    const end = onDisk.at(-1);
    assert.ok(end?.type === 'end' && end.state === 'cancelled', JSON.stringify(end));
    assert.ok(run.latestCheckpoint() !== null);
  });

  it('lists past runs found in the workspace folders, from before the daemon started', async () => {
    const p = await project(1);
    const first = await server();
    const job = await startJob(first, manifestUri(p));
    await ended(first, job.jobId);
    const fresh = await server({ workspaceFolders: [pathToFileURL(p.dir).href] });
    const listed: ListJobsResult = await fresh.connection.sendRequest('octet/listJobs');
    assert.deepEqual(listed.jobs, []);
    const run = listed.pastRuns.find((r) => r.runFolder === job.runFolder);
    assert.ok(run, JSON.stringify(listed.pastRuns));
    assert.equal(run.manifestUri, manifestUri(p));
    assert.equal(run.state, 'completed');
    assert.equal(run.mode, 'int8-outlier');
    assert.equal(run.steps, 32);
    assert.ok(typeof run.metrics?.accuracy === 'number');
    assert.ok(run.startedAt! <= run.finishedAt!);
  });
});
