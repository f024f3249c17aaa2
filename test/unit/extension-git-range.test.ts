import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { validateRange } from '../../extension/gitRange';

test('accepts two-ended ranges', () => {
  for (const r of ['v6.18..HEAD', 'HEAD~3..HEAD', ' a1b2c3...origin/main ', 'v6.1-rc2..main@{1}']) assert.equal(validateRange(r), undefined, r);
});

test('refuses options, one-ended ranges, single revisions and odd characters', () => {
  for (const r of ['', 'HEAD', 'HEAD~3..', '..HEAD', '--output=/tmp/x..HEAD', 'a..-b', 'a..b..c', 'a b..c', 'a..b;rm', 'a....b', '$(id)..HEAD']) {
    assert.equal(typeof validateRange(r), 'string', r);
  }
});
