import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// What an ESLint run would catch first, without installing ESLint: syntax, indentation, leftovers.
const ROOT = fileURLToPath(new URL('..', import.meta.url));

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(m?js|css|html|json)$/.test(name) ? [path] : [];
  });
}

const FILES = sources(ROOT);

test('every script passes node --check', () => {
  for (const path of FILES.filter((p) => /\.m?js$/.test(p))) {
    const done = spawnSync(process.execPath, ['--check', path], { encoding: 'utf8' });
    assert.equal(done.status, 0, `${path}\n${done.stderr}`);
  }
});

test('files are indented with two spaces, never tabs, and end with a newline', () => {
  for (const path of FILES) {
    const text = readFileSync(path, 'utf8');
    assert.ok(text.endsWith('\n'), `${path} ends without a newline`);
    text.split('\n').forEach((line, i) => {
      assert.doesNotMatch(line, /^\t/, `${path}:${i + 1} is indented with a tab`);
      assert.doesNotMatch(line, /[ \t]+$/, `${path}:${i + 1} has trailing whitespace`);
    });
  }
});

test('no debugging leftovers in shipped code', () => {
  for (const path of FILES.filter((p) => !p.includes('/test/') && /\.m?js$/.test(p))) {
    const text = readFileSync(path, 'utf8');
    assert.doesNotMatch(text, /console\.(log|debug)|debugger;/, path);
  }
});

test('the classic loader names the page message exactly as messages.js does', async () => {
  const { MSG } = await import('../shared/messages.js');
  const loader = readFileSync(join(ROOT, 'content', 'loader.js'), 'utf8');
  assert.ok(loader.includes(`type: '${MSG.CS_BG_RESOLVE_PAGE}'`));
});
