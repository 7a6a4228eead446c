import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cutDescription } from '../shared/description.js';

test('a short description is kept, its whitespace collapsed', () => {
  assert.equal(cutDescription('  Storm\n hits   coast. '), 'Storm hits coast.');
  assert.equal(cutDescription(null), '');
});

test('a long one is cut at a word, to at most 300 characters', () => {
  const text = `${'word '.repeat(59)}lastword and more`;
  const cut = cutDescription(text);
  assert.ok(cut.length <= 300);
  assert.ok(cut.endsWith('word') && !cut.endsWith(' '), cut.slice(-12));
  assert.equal(cutDescription('x'.repeat(400)).length, 300);
});
