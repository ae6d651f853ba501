// The SQuAD readers and their messages for bad input: each names the file and the line or the
// JSON path of the culprit, and none crashes.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isOctetError } from '../../../engine/errors';
import { loadSquadExamples, type SquadFileSpec } from '../../../engine/squad/load';
import { buildWindows } from '../../../engine/squad/windows';
import { example, qaTokenizer, removeTempFiles, squadJson, tempFile } from './helpers';

after(removeTempFiles);

const FIELDS = { question: 'question', context: 'context', answers: 'answers' };

function load(file: string, o: Partial<SquadFileSpec> = {}) {
  return loadSquadExamples({ file, format: file.endsWith('.jsonl') ? 'jsonl' : 'json', fields: FIELDS, version2: false, ...o });
}

/** Asserts an OctetError whose message matches every pattern. */
function rejects(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isOctetError(e), `not an OctetError: ${String(e)}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

const CONTEXT = 'The cat sat on the mat.';

describe('SQuAD JSON', () => {
  test('reads articles, paragraphs, questions and every gold answer', () => {
    const file = tempFile('dev.json', squadJson([{ context: CONTEXT, qas: [
      { id: 'q1', question: 'Who sat?', answers: [{ text: 'The cat', answer_start: 0 }, { text: 'cat', answer_start: 4 }] },
      { id: 'q2', question: 'Where?', answers: [{ text: 'the mat', answer_start: 15 }] },
    ] }]));
    const examples = load(file);
    assert.deepEqual(examples.map((e) => [e.id, e.question, e.context, e.answers]), [
      ['q1', 'Who sat?', CONTEXT, [{ text: 'The cat', start: 0 }, { text: 'cat', start: 4 }]],
      ['q2', 'Where?', CONTEXT, [{ text: 'the mat', start: 15 }]],
    ]);
  });

  test('answer_start counts code points, as Python does; the start becomes a JS string index', () => {
    const context = '😀 the cat sat'; // the emoji is 2 UTF-16 units but 1 code point
    const file = tempFile('astral.json', squadJson([{ context, qas: [{ id: 'q', question: 'Who?', answers: [{ text: 'cat', answer_start: 6 }] }] }]));
    const [ex] = load(file);
    assert.equal(ex!.answers[0]!.start, 7);
    assert.equal(context.slice(7, 10), 'cat');
  });

  test('an answer that is not at its answer_start names the file, the line and the answer, and where the text is', () => {
    const file = tempFile('bad.json', squadJson([{ context: CONTEXT, qas: [
      { id: 'q1', question: 'Who sat?', answers: [{ text: 'cat', answer_start: 5 }] },
    ] }]));
    rejects(() => load(file), /bad\.json, line \d+, data\[0\]\.paragraphs\[0\]\.qas\[0\]\.answers\[0\]/, /"cat" is not at answer_start 5/, /occurs at 4/);
    const missing = tempFile('missing.json', squadJson([{ context: CONTEXT, qas: [
      { id: 'q1', question: 'Who sat?', answers: [{ text: 'dog', answer_start: 4 }] },
    ] }]));
    rejects(() => load(missing), /does not occur in the context/);
  });

  test('the line named is the line of the culprit in the file', () => {
    const text = squadJson([{ context: CONTEXT, qas: [{ id: 'q1', question: 'Who sat?', answers: [{ text: 'cat', answer_start: 9 }] }] }]);
    const line = text.split('\n').findIndex((l) => l.includes('"text": "cat"'));
    rejects(() => load(tempFile('x.json', text)), new RegExp(`line ${line}\\b`)); // the answer object opens on the line before its text
  });

  test('an empty context, an empty question and a question without answers are refused', () => {
    const empty = tempFile('empty.json', squadJson([{ context: '  ', qas: [{ id: 'q1', question: 'Who?', answers: [{ text: 'x', answer_start: 0 }] }] }]));
    rejects(() => load(empty), /the context is empty/, /data\[0\]\.paragraphs\[0\]\.context/);
    const noQuestion = tempFile('q.json', squadJson([{ context: CONTEXT, qas: [{ id: 'q1', question: '', answers: [{ text: 'cat', answer_start: 4 }] }] }]));
    rejects(() => load(noQuestion), /question "q1" is empty/);
    const noAnswer = tempFile('a.json', squadJson([{ context: CONTEXT, qas: [{ id: 'q1', question: 'Who?', answers: [] }] }]));
    rejects(() => load(noAnswer), /question "q1" has no answers/);
  });

  test('SQuAD 2.0 unanswerable questions need version2, and then have no targets', () => {
    const file = tempFile('v2.json', squadJson([{ context: CONTEXT, qas: [
      { id: 'q1', question: 'Who flew?', answers: [], plausible_answers: [{ text: 'cat', answer_start: 4 }], is_impossible: true },
      { id: 'q2', question: 'Who sat?', answers: [{ text: 'cat', answer_start: 4 }], is_impossible: false },
    ] }]));
    rejects(() => load(file), /"q1" is marked unanswerable/, /task\.version2/);
    const examples = load(file, { version2: true });
    assert.deepEqual(examples.map((e) => e.answers.length), [0, 1]);
  });

  test('malformed structure, broken JSON and duplicate ids are reported, not thrown as crashes', () => {
    rejects(() => load(tempFile('s.json', '{"data": {}}')), /expected the SQuAD layout/);
    rejects(() => load(tempFile('t.json', '{"data": [{"paragraphs": [{"context": "x", "qas": [{"id": 1, "question": 5}]}]}]}')), /qas\[0\]\.question/, /expected a string/);
    rejects(() => load(tempFile('u.json', '{\n"data": [\n,]}')), /not valid JSON/, /line 3/);
    const twice = tempFile('d.json', squadJson([{ context: CONTEXT, qas: [
      { id: 'q', question: 'Who?', answers: [{ text: 'cat', answer_start: 4 }] },
      { id: 'q', question: 'Where?', answers: [{ text: 'mat', answer_start: 19 }] },
    ] }]));
    rejects(() => load(twice), /question id "q" is used twice/);
    rejects(() => load(tempFile('none.json', squadJson([]))), /has no questions/);
  });
});

describe('SQuAD JSONL', () => {
  test("reads Hugging Face's answer layout and a list of answer objects; a line without id is named by its number", () => {
    const file = tempFile('train.jsonl', [
      JSON.stringify({ id: 'a', question: 'Who sat?', context: CONTEXT, answers: { text: ['cat', 'The cat'], answer_start: [4, 0] } }),
      '',
      JSON.stringify({ question: 'Where?', context: CONTEXT, answers: [{ text: 'mat', answer_start: 19 }] }),
    ].join('\n'));
    const examples = load(file);
    assert.deepEqual(examples.map((e) => [e.id, e.answers]), [
      ['a', [{ text: 'cat', start: 4 }, { text: 'The cat', start: 0 }]],
      ['line 3', [{ text: 'mat', start: 19 }]],
    ]);
  });

  test('the field names come from the manifest', () => {
    const file = tempFile('x.jsonl', JSON.stringify({ id: 'a', q: 'Who?', passage: CONTEXT, gold: [{ text: 'cat', answer_start: 4 }] }) + '\n');
    const [ex] = load(file, { fields: { question: 'q', context: 'passage', answers: 'gold' } });
    assert.equal(ex!.question, 'Who?');
    rejects(() => load(file), /x\.jsonl, line 1, question: missing field "question"/);
  });

  test('bad rows name the file, the line and the field', () => {
    const good = JSON.stringify({ id: 'a', question: 'Who?', context: CONTEXT, answers: [{ text: 'cat', answer_start: 4 }] });
    rejects(() => load(tempFile('b.jsonl', `${good}\n${JSON.stringify({ id: 'b', question: 'Who?', context: CONTEXT, answers: [{ text: 'cat', answer_start: 3 }] })}\n`)),
      /b\.jsonl, line 2, answers\[0\]: answer "cat" is not at answer_start 3/);
    rejects(() => load(tempFile('c.jsonl', `${good}\n{"id": "c", "question": "Who?", "context": "", "answers": []}\n`)), /c\.jsonl, line 2, context: the context is empty/);
    rejects(() => load(tempFile('d.jsonl', `${good}\nnot json\n`)), /d\.jsonl, line 2: not valid JSON/);
    rejects(() => load(tempFile('e.jsonl', `{"id": "e", "question": "Who?", "context": "x", "answers": {"text": ["x"], "answer_start": []}}\n`)), /one start per text/);
  });

  test('with version2 an empty answer list is an unanswerable question; without, a mistake', () => {
    const file = tempFile('v2.jsonl', JSON.stringify({ id: 'a', question: 'Who flew?', context: CONTEXT, answers: { text: [], answer_start: [] } }) + '\n');
    assert.deepEqual(load(file, { version2: true })[0]!.answers, []);
    rejects(() => load(file), /has no answers/);
  });

  test('prediction input needs no answers', () => {
    const file = tempFile('p.jsonl', JSON.stringify({ id: 'a', question: 'Who?', context: CONTEXT }) + '\n');
    assert.deepEqual(load(file, { ignoreAnswers: true }).map((e) => e.id), ['a']);
    rejects(() => load(file), /line 1, answers: missing field "answers"/);
    const json = tempFile('p.json', squadJson([{ context: CONTEXT, qas: [{ id: 'b', question: 'Who?' }] }]));
    assert.deepEqual(load(json, { ignoreAnswers: true }).map((e) => e.id), ['b']);
    rejects(() => load(json), /question "b" has no answers/);
  });
});

describe('windows refuse what cannot be windowed', () => {
  const tokenizer = qaTokenizer();
  test('a question longer than the window: the message says how long it is and what maxSeqLength would do', () => {
    const long = 'who did the big red cat sat on the mat and then the dog ran ?'; // 16 tokens
    rejects(() => buildWindows([example('long', long, CONTEXT, 'cat')], tokenizer, { maxSeqLength: 16, docStride: 8 }),
      /question "long" has 16 tokens/, /maxSeqLength 16/, /at least 20/, /test, long/);
    assert.equal(buildWindows([example('long', long, CONTEXT, 'cat')], tokenizer, { maxSeqLength: 20, docStride: 8 }).length, 7, 'one context token a window');
  });

  test('a context or an answer without any token is refused', () => {
    rejects(() => buildWindows([example('c', 'Who?', '\u0000\u0001', null)], tokenizer, { maxSeqLength: 16, docStride: 8 }), /context has no tokens/);
    const ex = { ...example('a', 'Who?', 'cat sat', null), answers: [{ text: ' ', start: 3 }] };
    rejects(() => buildWindows([ex], tokenizer, { maxSeqLength: 16, docStride: 8 }), /covers no token/);
  });
});
