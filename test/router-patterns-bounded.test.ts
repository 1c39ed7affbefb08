// Issue 12 finding 1: project patterns run on a linear-time engine (RE2 syntax via re2js), so
// no pattern (local config or a peer's route update) can make routing hang; peers' patterns
// are refused unless the router opts in with `acceptPeerPatterns`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FastProjectRouter, isSwitchyardError } from '../src/index.js';
import { withinSync } from './helpers/bounded.js';

const base = [
  { name: 'llama-care', description: 'llama and alpaca husbandry' },
  { name: 'code-helper', description: 'programming help: bugs, refactors, tests' },
];

test('a backtracking pattern from local config cannot hang routing', async () => {
  const router = await FastProjectRouter.create({ projects: [...base, { name: 'redos', patterns: ['(a+)+$', '^(\\w+\\s?)*$', '(x+x+)+y'] }] });
  // V8 backtracking: 24 chars took 283 ms, 41 chars more than 15 s; here the whole default window
  for (const prompt of ['a'.repeat(30) + '!', 'a'.repeat(1999) + '!', 'aaaa '.repeat(399) + '!', 'x'.repeat(1999) + '!']) {
    const r = withinSync('routeSync ReDoS pattern', 1000, () => router.routeSync('auto', prompt));
    assert.notEqual(r.modelPath, 'default/redos', 'none of these prompts matches');
  }
  // the patterns still decide when they match
  assert.equal(router.routeSync('auto', 'aaaa').modelPath, 'default/redos');
  assert.deepEqual(router.getProject('default/redos')!.patterns, ['/(a+)+$/iu', '/^(\\w+\\s?)*$/iu', '/(x+x+)+y/iu']);
});

test('pattern syntax: RE2 (no lookaround / backreferences); RegExp flags kept; size capped', async () => {
  for (const bad of ['(?=x)y', '(a)\\1', '(?<!a)b', '(unclosed', 'x{1001}', '((a{100}){100})']) {
    await assert.rejects(FastProjectRouter.create({ projects: [{ name: 'p', patterns: [bad] }] }), (e) => isSwitchyardError(e) && e.code === 'ERR_INVALID_PROJECT', bad);
  }
  const router = await FastProjectRouter.create({
    projects: [...base, { name: 'exact', patterns: [/^JIRA-\d+$/] }, { name: 'named', patterns: ['ticket (?<id>\\d+)', '\\u{1F999} llama'] }],
  });
  assert.equal(router.routeSync('auto', 'JIRA-12').modelPath, 'default/exact');
  assert.notEqual(router.routeSync('auto', 'jira-12').modelPath, 'default/exact', 'no i flag: case-sensitive');
  assert.equal(router.routeSync('auto', 'TICKET 7').modelPath, 'default/named', 'strings are case-insensitive, named groups translated');
  assert.equal(router.routeSync('auto', '🦙 LLAMA').modelPath, 'default/named');
});

test('route updates with patterns are refused by default and accepted (bounded) with acceptPeerPatterns', async () => {
  const sender = await FastProjectRouter.create({ projects: base, nodeId: 'a' });
  const out: unknown[] = [];
  sender.on('update:published', (m) => out.push(m));
  await sender.upsertProject({ name: 'evil', patterns: ['(a+)+$'] });
  const message = JSON.stringify(out[0]);

  const plain = await FastProjectRouter.create({ projects: base, nodeId: 'b' });
  const r = plain.handleRouteUpdate(message);
  assert.equal(r.applied, false);
  assert.equal(r.reason, 'invalid');
  assert.match(r.error!.message, /acceptPeerPatterns/);
  assert.equal(plain.getProject('default/evil'), undefined);
  const merged = plain.mergeState(sender.exportState());
  assert.equal(merged.applied, 0);
  assert.equal(merged.rejected, 1);

  const open = await FastProjectRouter.create({ projects: base, nodeId: 'c', acceptPeerPatterns: true });
  assert.equal(open.handleRouteUpdate(message).applied, true);
  assert.equal(open.getProject('default/evil')!.patterns[0], '/(a+)+$/iu');
  const hostile = 'a'.repeat(1999) + '!';
  withinSync('routeSync peer ReDoS pattern', 1000, () => open.routeSync('auto', hostile));
  // peers' patterns meet the same validation as local ones
  const bad = JSON.parse(message) as { project: { patterns: string[] }; timestamp: number };
  bad.project.patterns = ['(?=lookahead)'];
  bad.timestamp += 1;
  assert.equal(open.handleRouteUpdate(JSON.stringify(bad)).reason, 'invalid');
  await assert.rejects(FastProjectRouter.create({ acceptPeerPatterns: 'yes' as never }), (e) => isSwitchyardError(e) && e.code === 'ERR_INVALID_OPTION');
});
