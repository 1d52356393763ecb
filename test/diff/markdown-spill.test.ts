/**
 * Markdown rendered from a spilled report (`MarkdownDraft` over `diffSourcesSpilled`): the fixed
 * sections from one pass over the spill, the blocks read back by position in review order (a
 * (rank, sort key, offset) record per change), byte-identical to `renderMarkdown` of the
 * in-memory report at every budget, on seeded trees; the spill file holds no planted secret; the
 * review order of the spill is `orderForReview`'s, also for names with NUL and control characters.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ChangeSpill, COMMENT_BUDGET, compareChanges, diffSources, diffSourcesSpilled, directorySource, identityOfSortKey, changeSortKey, MarkdownDraft, orderForReview, renderMarkdown, ResourceChange, reviewable, reviewRank, Risk } from '../../src/diff/index.js';
import type { MarkdownOptions, OrderedChanges, ReviewableReport } from '../../src/diff/index.js';
import { holds, planted, random, Scratch, SEEDS, writeSeededTrees } from './seeded-trees.js';

const scratch = new Scratch('lg-markdown-spill-');

const BUDGETS = [Infinity, COMMENT_BUDGET, 20_000, 5_000, 4_000];

/** Options with every section: header, title, footer, policy findings and a plan. */
const SECTIONS: MarkdownOptions = {
  header: '<!-- marker -->',
  title: 'Manifest diff · base → head',
  footer: 'lambda-gitops test',
  policy: [{ level: 'warning', rule: 'require-limits', message: 'container has no memory limit', resource: 'Deployment team-1/d-2' }],
  plan: { rows: [{ label: 'GPUs requested', before: '8', after: '16' }] },
};

/** `report` whose `ordered` lists count how many changes were read whole. */
function counting(report: ReviewableReport): { report: ReviewableReport; reads: () => number } {
  let reads = 0;
  return {
    report: {
      ...report,
      ordered(rank) {
        const list = report.ordered(rank);
        return { length: list.length, identityAt: (p) => list.identityAt(p), changeAt: (p) => (reads++, list.changeAt(p)) } satisfies OrderedChanges;
      },
    },
    reads: () => reads,
  };
}

describe('Markdown from a spilled report', () => {
  test.each(SEEDS)('seed %i: byte-identical to the in-memory rendering at every budget, no planted secret in the spill or the output', (seed) => {
    const { b, h } = writeSeededTrees(scratch.root, `s${seed}`, seed, 300);
    const expected = diffSources(directorySource(b), directorySource(h));
    expect(expected.changes.length).toBeGreaterThan(40);
    const spill = new ChangeSpill({ parent: scratch.fresh(`tmp${seed}`) });
    try {
      const spilled = counting(diffSourcesSpilled(directorySource(b), directorySource(h), spill));
      const draft = new MarkdownDraft(spilled.report, SECTIONS);
      let shownSomewhere = false;
      for (const budget of BUDGETS) {
        const before = spilled.reads();
        const pieces = [...draft.chunks({ budget, fullDiffHint: '`full.md`' })];
        const markdown = pieces.join('');
        expect(markdown).toBe(renderMarkdown(expected, { ...SECTIONS, budget, fullDiffHint: '`full.md`' }));
        for (const secret of planted) expect(markdown).not.toContain(secret);
        if (budget === Infinity) {
          // the full diff: the fixed sections, one piece per object, the footer
          expect(pieces.length).toBe(expected.changes.length + 2);
          expect(spilled.reads() - before).toBe(expected.changes.length);
        } else {
          expect(pieces.length).toBe(1);
          expect(markdown.length).toBeLessThanOrEqual(budget);
          if (budget <= 5_000) expect(markdown).toMatch(/\*\*Not shown \(\d+ objects/);
        }
        shownSomewhere ||= markdown.includes('**Image changes (');
      }
      // the seeded change covers the image section, risks and masked values
      expect(shownSomewhere).toBe(true);
      expect(renderMarkdown(expected, { budget: Infinity })).toContain('(hidden');
      const { bytes } = spill.onDisk();
      for (const change of expected.changes) expect(holds(bytes, change.resource.name)).toBe(true);
      for (const secret of planted) expect(holds(bytes, secret)).toBe(false);
    } finally {
      spill.close();
    }
  });

  test('more than 20 image changes, read in file order: the first 20 in report order, the same count', () => {
    const { b, h } = writeSeededTrees(scratch.root, 'img', 5, 3_000);
    const expected = diffSources(directorySource(b), directorySource(h));
    const count = Number(/\*\*Image changes \((\d+)\):\*\*/.exec(renderMarkdown(expected))?.[1]);
    expect(count).toBeGreaterThan(20);
    const spill = new ChangeSpill({ parent: scratch.fresh('tmp-img') });
    try {
      const report = diffSourcesSpilled(directorySource(b), directorySource(h), spill);
      // the file order is not the report order
      const positions = [...report.inStorageOrder()].map(([position]) => position);
      expect(positions).not.toEqual([...positions].sort((x, y) => x - y));
      expect([...positions].sort((x, y) => x - y)).toEqual([...positions.keys()]);
      expect([...new MarkdownDraft(report, SECTIONS).chunks()].join('')).toBe(renderMarkdown(expected, SECTIONS));
    } finally {
      spill.close();
    }
  });

  test('an empty base (every object added) and an empty head (every object removed), and no change at all', () => {
    const { h } = writeSeededTrees(scratch.root, 'e', 11, 200);
    const empty = scratch.fresh('empty');
    for (const [base, head] of [[empty, h], [h, empty], [h, h]]) {
      const expected = diffSources(directorySource(base), directorySource(head));
      const spill = new ChangeSpill({ parent: scratch.fresh('tmp-e') });
      try {
        const draft = new MarkdownDraft(diffSourcesSpilled(directorySource(base), directorySource(head), spill), SECTIONS);
        for (const budget of BUDGETS) expect([...draft.chunks({ budget })].join('')).toBe(renderMarkdown(expected, { ...SECTIONS, budget }));
      } finally {
        spill.close();
      }
    }
  });

  test('once even an empty block cannot fit, no change is read from the spill: the same output', () => {
    const { b, h } = writeSeededTrees(scratch.root, 'r', 2, 200);
    const expected = diffSources(directorySource(b), directorySource(h));
    const options = { title: 't', footer: 'f' };
    const full = renderMarkdown(expected, { ...options, budget: Infinity });
    const fixed = full.indexOf('<details>');
    const footer = '\n<sub>f</sub>\n'.length;
    // a budget that leaves less room after the fixed sections than the frame of any block (56)
    let budget = fixed + footer;
    while (budget - Math.min(3_000, Math.floor(budget / 10)) - fixed - footer < 40) budget++;
    const spill = new ChangeSpill({ parent: scratch.fresh('tmp-r') });
    try {
      const spilled = counting(diffSourcesSpilled(directorySource(b), directorySource(h), spill));
      const draft = new MarkdownDraft(spilled.report, options);
      const markdown = [...draft.chunks({ budget })].join('');
      expect(markdown).toBe(renderMarkdown(expected, { ...options, budget }));
      expect(markdown).toContain('**Not shown');
      expect(spilled.reads()).toBe(0);
      // 20 characters more and every change is read (none has a block that small, so none is shown)
      expect([...draft.chunks({ budget: budget + 20 })].join('')).toBe(renderMarkdown(expected, { ...options, budget: budget + 20 }));
      expect(spilled.reads()).toBe(expected.changes.length);
    } finally {
      spill.close();
    }
  });

  test('the fixed sections over the budget: the error of renderMarkdown', () => {
    const { b, h } = writeSeededTrees(scratch.root, 'o', 3, 120);
    const spill = new ChangeSpill({ parent: scratch.fresh('tmp-o') });
    try {
      const draft = new MarkdownDraft(diffSourcesSpilled(directorySource(b), directorySource(h), spill), { title: 'x'.repeat(250), policy: SECTIONS.policy });
      expect(() => [...draft.chunks({ budget: 100 })]).toThrow(/^markdown body is \d+ characters, over the budget of 100: the fixed sections alone do not fit$/);
    } finally {
      spill.close();
    }
  });
});

describe('the review order of a spill', () => {
  const next = random(4242);
  const parts = ['', 'a', 'b', 'Deployment', 'Namespace', 'Secret', '\0', '\u0001', '\0a', 'a\0', 'a\u0001'];
  const pick = () => parts[Math.floor(next() * parts.length)] + (next() < 0.3 ? parts[Math.floor(next() * parts.length)] : '');
  const actions = ['added', 'removed', 'changed'] as const;
  const levels = ['high', 'medium', 'low'] as const;
  const change = (): ResourceChange => ({ action: actions[Math.floor(next() * 3)], resource: { group: pick(), apiVersion: 'v1', kind: pick(), namespace: pick(), name: pick(), file: 'f' }, fields: [{ path: 'data.a', before: null, after: 'x' }] });

  test('a sort key gives back the action and object it was made of (2,000 generated changes with NUL and control characters)', () => {
    for (let i = 0; i < 2_000; i++) {
      const c = change();
      const { group, kind, namespace, name } = c.resource;
      expect(identityOfSortKey(changeSortKey(c))).toEqual({ action: c.action, resource: { group, kind, namespace, name } });
    }
  });

  test('ordered(reviewRank) is orderForReview of the sorted report (20 generated reports of 300 changes with risks)', () => {
    for (let round = 0; round < 20; round++) {
      const seen = new Set<string>();
      const changes: ResourceChange[] = [];
      while (changes.length < 300) {
        const c = change();
        const key = changeSortKey(c).slice(1);
        if (!seen.has(key)) changes.push(c);
        seen.add(key);
      }
      const risks: Risk[] = changes.filter(() => next() < 0.2).map((c) => ({ level: levels[Math.floor(next() * 3)], code: 'x', message: 'm', resource: c.resource }));
      const spill = new ChangeSpill({ parent: scratch.fresh('tmp-order') });
      try {
        spill.push(...changes);
        const list = spill.ordered(reviewRank(risks));
        const report = { summary: spill.summary, risks, changes: [...changes].sort(compareChanges) };
        const expected = orderForReview(report);
        expect(Array.from({ length: list.length }, (_, p) => list.changeAt(p))).toEqual(expected);
        expect(Array.from({ length: list.length }, (_, p) => list.identityAt(p).resource.name)).toEqual(expected.map((c) => c.resource.name));
        // the in-memory report gives the same order
        const held = reviewable(report).ordered(reviewRank(risks));
        expect(Array.from({ length: held.length }, (_, p) => held.changeAt(p))).toEqual(expected);
      } finally {
        spill.close();
      }
    }
  });
});
