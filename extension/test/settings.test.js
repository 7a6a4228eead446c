import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SERVER, isSiteDisabled, normalizeServer, withDefaults } from '../shared/settings.js';

test('defaults point at the local parallax serve and switch link badges on', () => {
  const settings = withDefaults(undefined);
  assert.equal(settings.server, DEFAULT_SERVER);
  assert.equal(settings.server, 'http://127.0.0.1:5000');
  assert.equal(settings.linkBadges, true);
  assert.equal(settings.panelPosition, 'bottom-right');
  assert.deepEqual(settings.disabledSites, []);
  assert.equal(settings.diary, true);
});

test('the reading diary is switched off only by an explicit false', () => {
  assert.equal(withDefaults({ diary: false }).diary, false);
  assert.equal(withDefaults({ diary: 'no' }).diary, true);
});

test('unknown or broken values fall back to the defaults', () => {
  const settings = withDefaults({ server: 'javascript:alert(1)', panelPosition: 'middle', disabledSites: 'x' });
  assert.equal(settings.server, DEFAULT_SERVER);
  assert.equal(settings.panelPosition, 'bottom-right');
  assert.deepEqual(settings.disabledSites, []);
});

test('a server address loses its trailing slash', () => {
  assert.equal(normalizeServer(' https://parallax.example.org/ '), 'https://parallax.example.org');
  assert.equal(normalizeServer('https://example.org/parallax/'), 'https://example.org/parallax');
  assert.equal(normalizeServer('ftp://example.org'), null);
});

test('a site switched off covers its www. host and its subdomains', () => {
  const settings = withDefaults({ disabledSites: ['example.com'] });
  assert.ok(isSiteDisabled(settings, 'www.example.com'));
  assert.ok(isSiteDisabled(settings, 'news.example.com'));
  assert.ok(!isSiteDisabled(settings, 'example.org'));
  assert.ok(!isSiteDisabled(settings, 'notexample.com'));
});
