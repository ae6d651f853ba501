import * as assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { serializeBertConfig } from '../../../engine/checkpoint/bert-config';
import {
  type BertTensor,
  loadBertCheckpoint,
  octetToHfName,
  saveBertCheckpoint,
} from '../../../engine/checkpoint/bert-weights';
import { readSafetensors, writeSafetensors } from '../../../engine/checkpoint/safetensors';
import {
  expectOctetError,
  tinyConfig,
  tinyConfigJson,
  tinyTensors,
  withTempDir,
} from './helpers';

/** Writes a model folder by hand: config.json plus model.safetensors with the given file names. */
async function writeFolder(
  folder: string,
  configJson: Record<string, unknown>,
  fileTensors: Map<string, BertTensor>,
): Promise<void> {
  await fsp.mkdir(folder, { recursive: true });
  await fsp.writeFile(path.join(folder, 'config.json'), JSON.stringify(configJson));
  await writeSafetensors(path.join(folder, 'model.safetensors'), fileTensors, { format: 'pt' });
}

function renamed(
  tensors: Map<string, BertTensor>,
  rename: (n: string) => string,
): Map<string, BertTensor> {
  return new Map([...tensors].map(([n, t]) => [rename(n), t]));
}

function assertSameTensors(
  actual: Map<string, BertTensor>,
  expected: Map<string, BertTensor>,
): void {
  assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
  for (const [name, t] of expected) {
    assert.deepEqual(actual.get(name)!.shape, t.shape, name);
    assert.deepEqual([...actual.get(name)!.data], [...t.data], name);
  }
}

test('save then load round-trips a sequence classifier, with bert.-prefixed file names', () =>
  withTempDir(async (dir) => {
    const config = tinyConfig();
    const tensors = tinyTensors(config, 'sequence-classification');
    const vocab = path.join(dir, 'vocab.txt');
    await fsp.writeFile(vocab, '[PAD]\n[UNK]\n');
    const folder = path.join(dir, 'out');
    await saveBertCheckpoint(folder, { config, tensors, extraFiles: [vocab] });

    assert.deepEqual(
      (await fsp.readdir(folder)).sort(),
      ['config.json', 'model.safetensors', 'vocab.txt'],
    );
    assert.deepEqual((await fsp.readdir(dir)).sort(), ['out', 'vocab.txt'], 'no temp folders left');
    const st = await readSafetensors(path.join(folder, 'model.safetensors'));
    assert.deepEqual(st.metadata, { format: 'pt' });
    assert.ok(st.entries.has('bert.encoder.layer.1.output.LayerNorm.weight'));
    assert.ok(st.entries.has('classifier.weight'));

    const loaded = await loadBertCheckpoint(folder);
    assert.equal(loaded.layout, 'prefixed');
    assert.equal(loaded.head, 'sequence-classification');
    assert.deepEqual(loaded.missing, []);
    assert.deepEqual(loaded.unexpected, []);
    assert.deepEqual(loaded.config, config);
    assertSameTensors(loaded.tensors, tensors);
    assert.equal(loaded.vocabPath, path.join(folder, 'vocab.txt'));
    assert.equal(loaded.tokenizerJsonPath, undefined);
  }));

test('an unprefixed BertModel file loads, and the missing classifier is reported', () =>
  withTempDir(async (dir) => {
    const config = tinyConfig({ architectures: ['BertModel'] });
    const encoder = tinyTensors(config, 'none');
    await writeFolder(dir, tinyConfigJson({ architectures: ['BertModel'] }), encoder);

    const plain = await loadBertCheckpoint(dir);
    assert.equal(plain.layout, 'unprefixed');
    assert.equal(plain.head, 'none');
    assert.deepEqual(plain.missing, []);
    assertSameTensors(plain.tensors, encoder);

    const forClassifier = await loadBertCheckpoint(dir, { head: 'sequence-classification' });
    assert.deepEqual(forClassifier.missing, ['classifier.weight', 'classifier.bias']);
    assert.deepEqual(forClassifier.unexpected, []);
  }));

test('missing head tensors come from config architectures; unused ones are unexpected', () =>
  withTempDir(async (dir) => {
    const config = tinyConfig();
    // A pre-training file (MLM + NSP heads) loaded for sequence classification.
    const pretrained = tinyTensors(config, 'pretraining');
    await writeFolder(dir, tinyConfigJson(), renamed(pretrained, octetToHfName));
    const loaded = await loadBertCheckpoint(dir);
    assert.deepEqual(loaded.missing, ['classifier.weight', 'classifier.bias']);
    assert.deepEqual(loaded.unexpected.sort(), [
      'cls.predictions.bias',
      'cls.predictions.transform.LayerNorm.bias',
      'cls.predictions.transform.LayerNorm.weight',
      'cls.predictions.transform.dense.bias',
      'cls.predictions.transform.dense.weight',
      'cls.seq_relationship.bias',
      'cls.seq_relationship.weight',
    ]);
    assert.ok(!loaded.tensors.has('cls.predictions.bias'));
    assert.ok(loaded.tensors.has('pooler.dense.weight'));
  }));

test('legacy gamma/beta, position_ids, tied decoder weight and decoder bias alias', () =>
  withTempDir(async (dir) => {
    const configJson = tinyConfigJson({ architectures: ['BertForMaskedLM'] });
    const config = tinyConfig({ architectures: ['BertForMaskedLM'] });
    const mlm = tinyTensors(config, 'masked-lm');
    const file = new Map<string, BertTensor>();
    for (const [name, t] of mlm) {
      const hf = octetToHfName(name)
        .replace(/LayerNorm\.weight$/, 'LayerNorm.gamma')
        .replace(/LayerNorm\.bias$/, 'LayerNorm.beta')
        .replace(/^cls\.predictions\.bias$/, 'cls.predictions.decoder.bias');
      file.set(hf, t);
    }
    file.set(
      'bert.embeddings.position_ids',
      { data: Float32Array.from([0, 1, 2, 3, 4, 5]), shape: [1, 6] },
    );
    const embeddings = mlm.get('embeddings.word_embeddings.weight')!;
    file.set('cls.predictions.decoder.weight', embeddings);
    await writeFolder(dir, configJson, file);

    const loaded = await loadBertCheckpoint(dir);
    assert.equal(loaded.head, 'masked-lm');
    assert.deepEqual(loaded.missing, []);
    assert.deepEqual(loaded.unexpected, []);
    assertSameTensors(
      loaded.tensors,
      new Map([...mlm, ['cls.predictions.decoder.weight', embeddings]]),
    );
  }));

test('legacy and current names for one parameter in one file are refused', () =>
  withTempDir(async (dir) => {
    const config = tinyConfig();
    const file = renamed(tinyTensors(config, 'sequence-classification'), octetToHfName);
    file.set('bert.embeddings.LayerNorm.gamma', file.get('bert.embeddings.LayerNorm.weight')!);
    await writeFolder(dir, tinyConfigJson(), file);
    await expectOctetError(
      () => loadBertCheckpoint(dir),
      'malformed-file',
      'model.safetensors',
      'LayerNorm.gamma',
    );
  }));

test('a tensor whose shape disagrees with config.json is a shape-mismatch naming it', () =>
  withTempDir(async (dir) => {
    const config = tinyConfig();
    const file = renamed(tinyTensors(config, 'sequence-classification'), octetToHfName);
    file.set(
      'bert.encoder.layer.1.attention.self.query.weight',
      { data: new Float32Array(8), shape: [2, 4] },
    );
    await writeFolder(dir, tinyConfigJson(), file);
    await expectOctetError(
      () => loadBertCheckpoint(dir),
      'shape-mismatch',
      path.join(dir, 'model.safetensors'),
      'bert.encoder.layer.1.attention.self.query.weight',
      '[2, 4]',
      '[4, 4]',
    );
  }));

test('non-finite weights are refused by load and by save', () =>
  withTempDir(async (dir) => {
    const config = tinyConfig();
    const tensors = tinyTensors(config, 'sequence-classification');
    tensors.get('classifier.bias')!.data[1] = NaN;
    await writeFolder(dir, tinyConfigJson(), renamed(tensors, octetToHfName));
    await expectOctetError(
      () => loadBertCheckpoint(dir),
      'non-finite',
      'classifier.bias',
      'index 1',
    );
    await expectOctetError(
      () => saveBertCheckpoint(path.join(dir, 'out'), { config, tensors }),
      'non-finite',
      'classifier.bias',
    );
    assert.deepEqual((await fsp.readdir(dir)).sort(), ['config.json', 'model.safetensors']);
  }));

test('F16 checkpoints save and load (values rounded to half precision)', () =>
  withTempDir(async (dir) => {
    const config = tinyConfig();
    const tensors = tinyTensors(config, 'sequence-classification');
    const folder = path.join(dir, 'ckpt');
    await saveBertCheckpoint(folder, { config, tensors, dtype: 'F16' });
    const st = await readSafetensors(path.join(folder, 'model.safetensors'));
    assert.equal(st.entries.get('classifier.weight')!.dtype, 'F16');
    const loaded = await loadBertCheckpoint(folder);
    for (const [name, t] of tensors) {
      const got = loaded.tensors.get(name)!.data;
      t.data.forEach((v, i) => assert.ok(Math.abs(got[i] - v) <= 2 ** -11, `${name}[${i}]`));
    }
  }));

test('pickle-only folders are refused without opening the pickle', () =>
  withTempDir(async (dir) => {
    await fsp.writeFile(path.join(dir, 'config.json'), JSON.stringify(tinyConfigJson()));
    // A dangling link: if Octet tried to open it, the error would be ENOENT, not 'unsupported'.
    await fsp.symlink(path.join(dir, 'does-not-exist'), path.join(dir, 'pytorch_model.bin'));
    const err = await expectOctetError(
      () => loadBertCheckpoint(dir),
      'unsupported',
      dir,
      'pytorch_model.bin',
      'never executes code',
      'safe_serialization=True',
      'BertForSequenceClassification',
    );
    assert.ok(err.message.includes(`from_pretrained('${dir}')`), err.message);
    for (const name of ['weights.pt', 'model.ckpt']) {
      await fsp.rm(path.join(dir, 'pytorch_model.bin'), { force: true });
      await fsp.writeFile(path.join(dir, name), 'not really a pickle');
      await expectOctetError(
        () => loadBertCheckpoint(dir),
        'unsupported',
        name,
        'never executes code',
      );
      await fsp.rm(path.join(dir, name));
    }
  }));

test('a folder with both a pickle and model.safetensors loads the safetensors', () =>
  withTempDir(async (dir) => {
    const config = tinyConfig();
    await writeFolder(
      dir,
      tinyConfigJson(),
      renamed(tinyTensors(config, 'sequence-classification'), octetToHfName),
    );
    await fsp.symlink(path.join(dir, 'does-not-exist'), path.join(dir, 'pytorch_model.bin'));
    assert.deepEqual((await loadBertCheckpoint(dir)).missing, []);
  }));

test('missing folder, config or weights are file-not-found naming the path', () =>
  withTempDir(async (dir) => {
    const absent = path.join(dir, 'absent');
    await expectOctetError(() => loadBertCheckpoint(absent), 'file-not-found', absent);
    await expectOctetError(
      () => loadBertCheckpoint(dir),
      'file-not-found',
      path.join(dir, 'config.json'),
    );
    await fsp.writeFile(path.join(dir, 'config.json'), JSON.stringify(tinyConfigJson()));
    await expectOctetError(
      () => loadBertCheckpoint(dir),
      'file-not-found',
      path.join(dir, 'model.safetensors'),
    );
    await fsp.writeFile(path.join(dir, 'model.safetensors.index.json'), '{}');
    await expectOctetError(() => loadBertCheckpoint(dir), 'unsupported', 'shards');
  }));

test('a corrupt config or weights file in a folder names that file', () =>
  withTempDir(async (dir) => {
    await fsp.writeFile(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'gpt2' }));
    await fsp.writeFile(path.join(dir, 'model.safetensors'), Buffer.alloc(4));
    await expectOctetError(
      () => loadBertCheckpoint(dir),
      'unsupported',
      path.join(dir, 'config.json'),
      'gpt2',
    );
    await fsp.writeFile(path.join(dir, 'config.json'), JSON.stringify(tinyConfigJson()));
    await expectOctetError(
      () => loadBertCheckpoint(dir),
      'malformed-file',
      path.join(dir, 'model.safetensors'),
    );
  }));

test('saving replaces an existing checkpoint and leaves no temp or old folders', () =>
  withTempDir(async (dir) => {
    const config = tinyConfig();
    const folder = path.join(dir, 'ckpt');
    const first = tinyTensors(config, 'sequence-classification');
    await saveBertCheckpoint(folder, { config, tensors: first });
    await fsp.writeFile(path.join(folder, 'stale.txt'), 'from an older save');
    const second = new Map(
      [...first].map(([n, t]) => [n, { shape: t.shape, data: t.data.map((v) => v + 1) }]),
    );
    await saveBertCheckpoint(folder, { config, tensors: second });
    assert.deepEqual(await fsp.readdir(dir), ['ckpt']);
    assert.deepEqual((await fsp.readdir(folder)).sort(), ['config.json', 'model.safetensors']);
    assertSameTensors((await loadBertCheckpoint(folder)).tensors, second);
  }));

test('a loaded checkpoint can be saved back in place with its tokenizer files', () =>
  withTempDir(async (dir) => {
    const config = tinyConfig();
    const tensors = tinyTensors(config, 'sequence-classification');
    const vocab = path.join(dir, 'vocab.txt');
    await fsp.writeFile(vocab, '[PAD]\n');
    const folder = path.join(dir, 'ckpt');
    await saveBertCheckpoint(folder, { config, tensors, extraFiles: [vocab] });
    const loaded = await loadBertCheckpoint(folder);
    loaded.tensors.get('classifier.bias')!.data[0] = 123;
    await saveBertCheckpoint(folder, {
      config: loaded.config,
      tensors: loaded.tensors,
      extraFiles: [loaded.vocabPath!],
    });
    const again = await loadBertCheckpoint(folder);
    assert.equal(again.tensors.get('classifier.bias')!.data[0], 123);
    assert.equal(await fsp.readFile(again.vocabPath!, 'utf8'), '[PAD]\n');
    assert.deepEqual((await fsp.readdir(dir)).sort(), ['ckpt', 'vocab.txt']);
  }));

test('a failed save keeps the previous checkpoint', () =>
  withTempDir(async (dir) => {
    const config = tinyConfig();
    const folder = path.join(dir, 'ckpt');
    const tensors = tinyTensors(config, 'sequence-classification');
    await saveBertCheckpoint(folder, { config, tensors });
    await expectOctetError(
      () =>
        saveBertCheckpoint(folder, {
          config,
          tensors,
          extraFiles: [path.join(dir, 'no-vocab.txt')],
        }),
      'file-not-found',
      'no-vocab.txt',
    );
    assert.deepEqual(await fsp.readdir(dir), ['ckpt']);
    assertSameTensors((await loadBertCheckpoint(folder)).tensors, tensors);
  }));

test('save validates names, shapes and the target folder before writing', () =>
  withTempDir(async (dir) => {
    const config = tinyConfig();
    const folder = path.join(dir, 'ckpt');
    const good = tinyTensors(config, 'sequence-classification');

    const typo = new Map(
      good).set('encoder.layer.0.atention.self.query.weight',
      good.get('pooler.dense.weight')!,
    );
    await expectOctetError(
      () => saveBertCheckpoint(folder, { config, tensors: typo }),
      'invalid-argument',
      'atention',
    );
    const deeper = new Map(
      good).set('encoder.layer.2.output.dense.bias',
      good.get('pooler.dense.bias')!,
    );
    await expectOctetError(
      () => saveBertCheckpoint(folder, { config, tensors: deeper }),
      'invalid-argument',
      'layer.2',
    );
    const wrongShape = new Map(
      good).set('classifier.weight',
      { data: new Float32Array(8), shape: [2, 4] },
    );
    await expectOctetError(
      () => saveBertCheckpoint(folder, { config, tensors: wrongShape }),
      'shape-mismatch',
      'classifier.weight',
    );
    const shortData = new Map(
      good).set('classifier.bias',
      { data: new Float32Array(2), shape: [3] },
    );
    await expectOctetError(
      () => saveBertCheckpoint(folder, { config, tensors: shortData }),
      'shape-mismatch',
      'classifier.bias',
    );
    assert.deepEqual(await fsp.readdir(dir), []);

    const home = path.join(dir, 'documents');
    await fsp.mkdir(home);
    await fsp.writeFile(path.join(home, 'thesis.tex'), 'precious');
    await expectOctetError(
      () => saveBertCheckpoint(home, { config, tensors: good }),
      'invalid-argument',
      home,
      'config.json',
    );
    assert.deepEqual(await fsp.readdir(home), ['thesis.tex']);
  }));

test('a config without architectures gets one inferred from the tensors on save', () =>
  withTempDir(async (dir) => {
    const config = tinyConfig({ architectures: undefined });
    assert.deepEqual(config.architectures, []);
    const folder = path.join(dir, 'ckpt');
    await saveBertCheckpoint(folder, { config, tensors: tinyTensors(config, 'question-answering') });
    const json = JSON.parse(await fsp.readFile(path.join(folder, 'config.json'), 'utf8'));
    assert.deepEqual(json.architectures, ['BertForQuestionAnswering']);
    assert.deepEqual(
      json,
      serializeBertConfig({ ...config, architectures: ['BertForQuestionAnswering'] }),
    );
    const loaded = await loadBertCheckpoint(folder);
    assert.equal(loaded.head, 'question-answering');
    assert.deepEqual(loaded.missing, []);
  }));
