/** The core's one folder walk (client/src/core/fs/walkTree.ts): its depth bound, folder filter and unreadable folders. */
import * as assert from 'assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { walkTree } from '../../client/src/core/fs/walkTree';

describe('walkTree', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-walk-'));
    fs.mkdirSync(path.join(root, 'a', 'b', 'c'), { recursive: true });
    fs.mkdirSync(path.join(root, 'skip'));
    for (const file of ['top.yaml', 'a/one.yaml', 'a/b/two.yaml', 'a/b/c/three.yaml', 'skip/hidden.yaml']) fs.writeFileSync(path.join(root, file), '');
    fs.symlinkSync(root, path.join(root, 'a', 'loop'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const seen = (maxDepth: number, enter?: (e: fs.Dirent) => boolean): string[] => {
    const out: string[] = [];
    walkTree(root, { maxDepth, ...(enter ? { enter } : {}), visit: (_e, full) => out.push(path.relative(root, full)) });
    return out.sort();
  };

  it('reads folders down to maxDepth levels below the root, entries of the deepest read folder included', () => {
    assert.deepStrictEqual(seen(0), ['a', 'skip', 'top.yaml']);
    assert.deepStrictEqual(seen(1), ['a', 'a/b', 'a/loop', 'a/one.yaml', 'skip', 'skip/hidden.yaml', 'top.yaml']);
    assert.ok(seen(9).includes('a/b/c/three.yaml'));
  });

  it('never follows a link to a folder (a loop is one entry) and walks only the folders `enter` accepts', () => {
    const all = seen(20);
    assert.ok(all.includes('a/loop') && !all.some((p) => p.startsWith('a/loop/')));
    assert.ok(!seen(20, (e) => e.name !== 'skip').includes('skip/hidden.yaml'));
  });

  it('skips a folder it cannot read (here: removed between being listed and being read)', () => {
    const out: string[] = [];
    walkTree(root, {
      maxDepth: 9,
      visit: (_e, full) => {
        out.push(path.relative(root, full));
        if (path.relative(root, full) === path.join('a', 'b')) fs.rmSync(full, { recursive: true });
      },
    });
    assert.ok(out.includes('a/b') && out.includes('a/one.yaml') && !out.includes('a/b/two.yaml'));
  });
});
