import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RequestClassifier, type ClassifiableRequest } from '../../src/index.js';
import { messageKey } from '../../src/classify/message-key.js';
import { ambiguous, assistant, user } from '../helpers/classify.js';

test('messageKey() – C3/E4: lone surrogates, NFC/NFD, roles and message boundaries never collide', () => {
  const k = (...texts: string[]): string => messageKey(texts.map((t) => user(t)));
  assert.notEqual(k('\uD800'), k('\uDBFF'));
  assert.notEqual(k('\uD800'), k('\uFFFD'));
  assert.notEqual(k('\uDC00'), k('\uDFFF'));
  assert.notEqual(k('caf\u00E9'), k('cafe\u0301'));
  assert.notEqual(k('ab', 'c'), k('a', 'bc'));
  assert.notEqual(messageKey([user('hi')]), messageKey([assistant('hi')]));
  assert.notEqual(messageKey([user('hi')]), messageKey([user([{ type: 'text', text: 'hi' }])]));
  assert.equal(k('same', 'text'), k('same', 'text'));
  // Only the last two messages count.
  assert.equal(messageKey([user('old'), user('a'), user('b')]), messageKey([user('other'), user('a'), user('b')]));
});

test('messageKey() – C3: distinct strings (any code units) give distinct keys; equal ones equal keys', () => {
  const units = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 12 });
  const tricky = fc.string({ unit: fc.constantFrom('\uD800', '\uDBFF', '\uDC00', '\uFFFD', 'e', '\u0301', '\u00E9'), maxLength: 3 });
  fc.assert(fc.property(tricky, tricky, (a, b) => {
    assert.equal(messageKey([user(a)]) === messageKey([user(b)]), a === b);
  }), { numRuns: 500 });
  const anyString = fc.oneof(tricky, units, fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 6 }));
  fc.assert(fc.property(fc.tuple(anyString, anyString), fc.tuple(anyString, anyString), (a, b) => {
    const ka = messageKey([user(a[0]), assistant(a[1])]);
    const kb = messageKey([user(b[0]), assistant(b[1])]);
    assert.equal(ka === kb, a[0] === b[0] && a[1] === b[1]);
  }), { numRuns: 800 });
});

test('RequestClassifier#decide() – C3: "\\uD800" and "\\uDBFF" are classified separately (no false cache hit)', async () => {
  const seen: string[] = [];
  const classifier = new RequestClassifier({
    llm: {
      classify: (req) => {
        const c = req.messages[0]!.content as string;
        seen.push(c);
        return { tier: c === '\uD800' ? 'local' : 'opus' };
      },
    },
  });
  assert.equal((await classifier.decide(ambiguous('\uD800'))).tier, 'local');
  assert.equal((await classifier.decide(ambiguous('\uDBFF'))).tier, 'opus');
  assert.equal((await classifier.decide(ambiguous('\uD800'))).tier, 'local');
  assert.deepEqual(seen, ['\uD800', '\uDBFF']);
});

test('RequestClassifier#decide() – C3: the cache stays within llm.cacheSize over 20,000 distinct prompts', async () => {
  const classifier = new RequestClassifier({ llm: { cacheSize: 1_000, classify: () => ({ tier: 'local' }) } });
  for (let i = 0; i < 20_000; i++) await classifier.decide(ambiguous(`Write parser #${i}`));
  const s = classifier.stats();
  assert.equal(s.cacheSize, 1_000);
  assert.equal(s.classifierCalls, 20_000);
  // The most recent 1,000 are hits, the 1,001st most recent is a miss (LRU order).
  await classifier.decide(ambiguous('Write parser #19000'));
  assert.equal(classifier.stats().cacheHits, 1);
  await classifier.decide(ambiguous('Write parser #18999'));
  assert.equal(classifier.stats().classifierCalls, 20_001);
});

/** Reference model: a plain LRU over prompt indices plus a set of prompts that fail. */
interface Model { lru: number[]; calls: number; failing: Set<number> }
interface Real { classifier: RequestClassifier; failing: Set<number> }
const CACHE = 4;
const prompt = (i: number): ClassifiableRequest => ambiguous(`Write module ${i}`);
const tierOf = (i: number): string => ['local', 'sonnet', 'opus'][i % 3]!;

class Decide implements fc.AsyncCommand<Model, Real> {
  readonly i: number;
  constructor(i: number) { this.i = i; }
  check(): boolean { return true; }
  async run(m: Model, r: Real): Promise<void> {
    const d = await r.classifier.decide(prompt(this.i));
    const hit = m.lru.indexOf(this.i);
    if (hit >= 0) {
      m.lru.splice(hit, 1);
      m.lru.push(this.i);
      assert.equal(d.tier, tierOf(this.i));
      assert.match(d.reasons.at(-1)!, /^classifier \(cache\)/);
    } else {
      m.calls++;
      if (m.failing.has(this.i)) {
        assert.equal(d.phase, 'fallback');
      } else {
        assert.equal(d.tier, tierOf(this.i));
        m.lru.push(this.i);
        if (m.lru.length > CACHE) m.lru.shift();
      }
    }
    assert.equal(r.classifier.stats().classifierCalls, m.calls);
    assert.equal(r.classifier.stats().cacheSize, m.lru.length);
  }
  toString(): string { return `decide(${this.i})`; }
}

class Toggle implements fc.AsyncCommand<Model, Real> {
  readonly i: number;
  constructor(i: number) { this.i = i; }
  check(): boolean { return true; }
  async run(m: Model, r: Real): Promise<void> {
    for (const set of [m.failing, r.failing]) {
      if (set.has(this.i)) set.delete(this.i);
      else set.add(this.i);
    }
  }
  toString(): string { return `toggleFailure(${this.i})`; }
}

test('RequestClassifier#decide() – C3/C4: cache model-check against a reference LRU; failures are never cached', async () => {
  const idx = fc.integer({ min: 0, max: 7 });
  await fc.assert(fc.asyncProperty(fc.commands([idx.map((i) => new Decide(i)), idx.map((i) => new Toggle(i))], { maxCommands: 100 }), async (cmds) => {
    const failing = new Set<number>();
    const classifier = new RequestClassifier({
      llm: {
        cacheSize: CACHE, breaker: { consecutiveFailures: 0 },
        classify: (req) => {
          const i = Number((req.messages[0]!.content as string).split(' ').at(-1));
          if (failing.has(i)) throw new Error('down');
          return { tier: tierOf(i) };
        },
      },
    });
    await fc.asyncModelRun(() => ({ model: { lru: [], calls: 0, failing: new Set<number>() }, real: { classifier, failing } }), cmds);
  }), { numRuns: 200 });
});

test('messageKey() – overlong roles and block types are keyed by a bounded prefix plus length', () => {
  const long = 'r'.repeat(1 << 20);
  const a = messageKey([{ role: long, content: [{ type: long, text: 'x' }] }]);
  assert.equal(a, messageKey([{ role: long, content: [{ type: long, text: 'x' }] }]));
  assert.notEqual(a, messageKey([{ role: long + 'r', content: [{ type: long, text: 'x' }] }]));
  assert.notEqual(a, messageKey([{ role: long, content: [{ type: long, text: 'y' }] }]));
  assert.notEqual(messageKey([{ role: 'r'.repeat(64), content: 'x' }]), messageKey([{ role: 'r'.repeat(65), content: 'x' }]));
});
