import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BIAS, FACTUALITY, OWNERSHIP, sideOf } from '../shared/scales.js';

// server/ratings.py is the one source of the scales; this copy must not drift from it.
const ratings = readFileSync(fileURLToPath(new URL('../../server/ratings.py', import.meta.url)), 'utf8');

function levels(name) {
  const block = ratings.slice(ratings.indexOf(`${name}: tuple[Level, ...] = (`));
  const body = block.slice(0, block.indexOf('\n)'));
  return [...body.matchAll(/Level\("([^"]+)", "([^"]+)", (-?[\d.]+), "(#[0-9a-f]{6})"\)/g)]
    .map(([, label, title, score, color]) => ({ label, title, score: Number(score), color }));
}

test('the bias scale matches server/ratings.py', () => {
  assert.deepEqual(BIAS.map(({ label, title, score, color }) => ({ label, title, score, color })), levels('BIAS'));
});

test('the factuality scale matches server/ratings.py', () => {
  assert.deepEqual(FACTUALITY.map(({ label, title, score, color }) => ({ label, title, score, color })), levels('FACTUALITY'));
});

test('the ownership kinds match server/ratings.py', () => {
  for (const [kind, title] of Object.entries(OWNERSHIP)) assert.ok(ratings.includes(`"${kind}": "${title}"`), kind);
});

test('sides follow the sign of the bias score', () => {
  assert.equal(sideOf('lean-left'), 'left');
  assert.equal(sideOf('center'), 'center');
  assert.equal(sideOf('far-right'), 'right');
  assert.equal(sideOf('bogus'), null);
});
