import { fieldDiffLines } from './format-value.js';
import { CapacityDeltaTable, PolicyFinding } from './findings.js';
import { describeResource, DiffReport, resourceKey, ResourceChange, Risk } from './model.js';
import { compareText, parseImage, imageChangeKind } from './risks.js';
import { ChangeIdentity, OrderedChanges, reviewable, ReviewableReport, reviewRank } from './review-order.js';
import { neutraliseMentions } from '../masking/mentions.js';

/** GitHub accepts 65,536 characters in a comment body; this leaves room and fits a check-run summary (65,535). */
export const COMMENT_BUDGET = 60_000;
/** A block that alone exceeds this many characters or lines is cut (the rest is in the full diff). */
export const BLOCK_MAX_CHARS = 4_000;
export const BLOCK_MAX_LINES = 150;
const MAX_RISK_ITEMS = 10;
const MAX_TABLE_ROWS = 25;
const MAX_POLICY_ROWS = 30;
const MAX_IMAGE_ROWS = 20;
const MAX_CELL = 200;

/** Options of {@link renderMarkdown}. */
export interface MarkdownOptions {
  /**
   * Maximum length of the whole body in JavaScript string length units. Whole object blocks are
   * packed until it is reached and the rest are listed as not shown.
   * @default COMMENT_BUDGET (60,000); pass Infinity for the full diff
   */
  readonly budget?: number;
  /** Lines placed first (e.g. the sticky-comment marker). @default none */
  readonly header?: string;
  /** Heading text (plain text, escaped). @default 'Manifest diff' */
  readonly title?: string;
  /** Policy findings for the head tree; the section is omitted when undefined. @default undefined */
  readonly policy?: readonly PolicyFinding[];
  /** Capacity plan delta; the section is omitted when undefined. @default undefined */
  readonly plan?: CapacityDeltaTable;
  /** Where the full diff is, named in the "not shown" note. @default 'the full diff (`--full`)' */
  readonly fullDiffHint?: string;
  /** Last line (e.g. tool version and head SHA). @default none */
  readonly footer?: string;
}

const SYMBOL: Record<ResourceChange['action'], string> = { added: '+', removed: '−', changed: '±' };
/**
 * Escapes text for HTML and Markdown contexts (summary lines, table cells, alert lines), and
 * neutralises `@user` / `@org/team` mentions so quoting PR content pings nobody.
 */
export function escapeMarkdown(text: string, max = MAX_CELL): string {
  const clipped = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return neutraliseMentions(clipped
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/[|\\`*_[\]()#!~]/g, (c) => `\\${c}`)
    .replace(/[\r\n]+/g, ' '));
}

/** A code fence longer than any backtick run in the content, so the content cannot close it. */
export function fenceFor(content: string): string {
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  return '`'.repeat(Math.max(3, longest + 1));
}

function riskSection(risks: readonly Risk[]): string[] {
  if (risks.length === 0) return ['> [!TIP]', '> **No risks found** in the rendered changes.'];
  const alert = risks.some((r) => r.level === 'high') ? 'CAUTION' : risks.some((r) => r.level === 'medium') ? 'WARNING' : 'NOTE';
  const counts = (['high', 'medium', 'low'] as const).map((l) => [l, risks.filter((r) => r.level === l).length] as const).filter(([, n]) => n > 0);
  const lines = [`> [!${alert}]`, `> **Risks:** ${counts.map(([l, n]) => `${n} ${l}`).join(' · ')}`, '>'];
  for (const risk of risks.slice(0, MAX_RISK_ITEMS)) lines.push(`> - **${risk.level}** ${escapeMarkdown(risk.code)}: ${escapeMarkdown(risk.message)}`);
  if (risks.length > MAX_RISK_ITEMS) lines.push(`> - … and ${risks.length - MAX_RISK_ITEMS} more (JSON report)`);
  return lines;
}

type TableRow = { kind: string; namespace: string; added: number; changed: number; removed: number };

/**
 * The kind × namespace table, tallied one change at a time: by kind and namespace while that
 * takes at most 25 rows, else by kind (the per-namespace tally is dropped as soon as it has more).
 */
class KindTable {
  private byNamespace: Map<string, TableRow> | undefined = new Map();
  private readonly byKind = new Map<string, TableRow>();

  add({ action, resource }: ChangeIdentity): void {
    if (this.byNamespace) {
      tally(this.byNamespace, resource.kind, resource.namespace, action);
      if (this.byNamespace.size > MAX_TABLE_ROWS) this.byNamespace = undefined;
    }
    tally(this.byKind, resource.kind, '(all)', action);
  }

  lines(): string[] {
    const rows = [...(this.byNamespace ?? this.byKind).values()].sort((a, b) => compareText(a.kind, b.kind) || compareText(a.namespace, b.namespace));
    const lines = ['| Kind | Namespace | Added | Changed | Removed |', '|---|---|--:|--:|--:|'];
    const cell = (n: string) => (n === '' ? '(cluster)' : escapeMarkdown(n));
    for (const row of rows.slice(0, MAX_TABLE_ROWS - 1 + (rows.length <= MAX_TABLE_ROWS ? 1 : 0))) {
      lines.push(`| ${escapeMarkdown(row.kind)} | ${cell(row.namespace)} | ${row.added} | ${row.changed} | ${row.removed} |`);
    }
    if (rows.length > MAX_TABLE_ROWS) {
      const rest = rows.slice(MAX_TABLE_ROWS - 1);
      const sum = (k: 'added' | 'changed' | 'removed') => rest.reduce((n, r) => n + r[k], 0);
      lines.push(`| … ${rest.length} more kinds | | ${sum('added')} | ${sum('changed')} | ${sum('removed')} |`);
    }
    return lines;
  }
}

function tally(rows: Map<string, TableRow>, kind: string, namespace: string, action: ResourceChange['action']): void {
  const key = `${kind}\0${namespace}`;
  let row = rows.get(key);
  if (!row) rows.set(key, (row = { kind, namespace, added: 0, changed: 0, removed: 0 }));
  row[action] += 1;
}

const FINDING_ICON: Record<PolicyFinding['level'], string> = { error: '❌', warning: '⚠️', note: 'ℹ️' };

function policySection(findings: readonly PolicyFinding[]): string[] {
  if (findings.length === 0) return ['**Policy (head tree):** ✅ no findings'];
  const count = (l: PolicyFinding['level']) => findings.filter((f) => f.level === l).length;
  const order = { error: 0, warning: 1, note: 2 };
  const sorted = [...findings].sort((a, b) => order[a.level] - order[b.level] || compareText(a.rule, b.rule) || compareText(a.resource ?? '', b.resource ?? ''));
  const lines = [`**Policy (head tree):** ❌ ${count('error')} failing · ⚠️ ${count('warning')} warnings · ℹ️ ${count('note')} notes`, '', '| | Rule | Resource | Finding |', '|---|---|---|---|'];
  for (const f of sorted.slice(0, MAX_POLICY_ROWS)) {
    lines.push(`| ${FINDING_ICON[f.level]} | ${escapeMarkdown(f.rule)} | ${escapeMarkdown(f.resource ?? f.file ?? '')} | ${escapeMarkdown(f.message)} |`);
  }
  if (sorted.length > MAX_POLICY_ROWS) lines.push(`| | … ${sorted.length - MAX_POLICY_ROWS} more | | see the check run |`);
  return lines;
}

function planSection(plan: CapacityDeltaTable): string[] {
  const lines = ['**Capacity plan (base → head):**', '', '| | Base | Head |', '|---|--:|--:|'];
  for (const row of plan.rows.slice(0, MAX_TABLE_ROWS)) lines.push(`| ${escapeMarkdown(row.label)} | ${escapeMarkdown(row.before)} | ${escapeMarkdown(row.after)} |`);
  if (plan.note) lines.push('', escapeMarkdown(plan.note, 500));
  return lines;
}

type ImageChange = { resource: string; container: string; before: string; after: string };

/** The image changes of one change: `containers[name=x].image` fields whose both sides are strings. */
function imagesOf(change: ResourceChange): ImageChange[] {
  const found: ImageChange[] = [];
  for (const field of change.fields) {
    const match = /(?:containers|initContainers)\[name=("(?:[^"\\]|\\.)*"|[^\]]*)\]\.image$/.exec(field.path);
    if (!match || typeof field.before !== 'string' || typeof field.after !== 'string') continue;
    const container = match[1].startsWith('"') ? String(JSON.parse(match[1])) : match[1];
    found.push({ resource: describeResource(change.resource), container, before: field.before, after: field.after });
  }
  return found;
}

/** Image changes of existing containers: `containers[name=x].image` fields whose both sides are strings. */
export function imageChanges(changes: readonly ResourceChange[]): ImageChange[] {
  return changes.flatMap(imagesOf);
}

/**
 * The image section, tallied one change at a time in any order: the count, and the first 20 image
 * changes by the change's position in the report (then their order in the change).
 */
class ImageTable {
  private count = 0;
  private readonly first: { position: number; index: number; image: ImageChange }[] = [];

  add(position: number, change: ResourceChange): void {
    imagesOf(change).forEach((image, index) => {
      this.count++;
      const before = (entry: { position: number; index: number }) => position < entry.position || (position === entry.position && index < entry.index);
      let at = this.first.length;
      while (at > 0 && before(this.first[at - 1])) at--;
      if (at < MAX_IMAGE_ROWS) {
        this.first.splice(at, 0, { position, index, image });
        if (this.first.length > MAX_IMAGE_ROWS) this.first.pop();
      }
    });
  }

  lines(): string[] {
    if (this.count === 0) return [];
    const lines = [`**Image changes (${this.count}):**`, '', '| Object | Container | From | To | Change |', '|---|---|---|---|---|'];
    for (const { image } of this.first) {
      const kind = imageChangeKind(parseImage(image.before), parseImage(image.after));
      lines.push(`| ${escapeMarkdown(image.resource)} | ${escapeMarkdown(image.container)} | ${escapeMarkdown(image.before)} | ${escapeMarkdown(image.after)} | ${kind} |`);
    }
    if (this.count > MAX_IMAGE_ROWS) lines.push(`| … ${this.count - MAX_IMAGE_ROWS} more | | | | |`);
    return lines;
  }
}

/** One collapsible block per object; long ones are cut at a line boundary with the fence closed. */
export function objectBlock(change: ResourceChange, risks: readonly Risk[], cap = { chars: BLOCK_MAX_CHARS, lines: BLOCK_MAX_LINES }): string {
  const codes = [...new Set(risks.map((r) => r.code))];
  const noun = change.fields.length === 1 ? 'field' : 'fields';
  const summary = `${SYMBOL[change.action]} <b>${escapeMarkdown(describeResource(change.resource))}</b> · ${change.action} · ${change.fields.length} ${noun}${codes.length ? ` · ⚠️ ${escapeMarkdown(codes.join(', '))}` : ''}`;
  const all = change.fields.flatMap(fieldDiffLines);
  const shown: string[] = [];
  let size = 0;
  for (const line of all) {
    if (shown.length >= cap.lines || size + line.length + 1 > cap.chars) break;
    shown.push(line);
    size += line.length + 1;
  }
  const body = shown.join('\n');
  const fence = fenceFor(body);
  const cut = all.length - shown.length;
  return [
    `<details><summary>${summary}</summary>`,
    '',
    `${fence}diff`,
    body,
    fence,
    ...(cut > 0 ? ['', `… ${cut} more lines not shown (see the full diff)`] : []),
    '',
    '</details>',
  ].join('\n');
}

/**
 * The least a block of {@link objectBlock} and its two newlines can take (empty summary and
 * body, the shortest fence): when even that does not fit, no later change is read or rendered.
 */
const BLOCK_FRAME_CHARS = ['<details><summary></summary>', '', '```diff', '', '```', '', '</details>'].join('\n').length + 2;

/** How a {@link MarkdownDraft} is laid out: the parts of {@link MarkdownOptions} that only the packing reads. */
export type MarkdownLayout = Pick<MarkdownOptions, 'budget' | 'fullDiffHint'>;

/**
 * A Markdown report before its object blocks are packed: the fixed sections (risks, the kind ×
 * namespace table, policy, plan, image changes) computed in one pass over the report's changes,
 * and the changes ordered for review (most serious risk first, then removed, changed, added, kind
 * priority and name). {@link chunks} renders it at any budget; the changes are read again, one
 * at a time, so a report whose changes are spilled to a file is rendered within the diff's memory.
 */
export class MarkdownDraft {
  private readonly head: string;
  private readonly footer: string;
  private readonly review: OrderedChanges;
  private readonly risksByKey = new Map<string, Risk[]>();

  /** @param options the sections; `budget` and `fullDiffHint` are read by {@link chunks} */
  constructor(report: ReviewableReport, options: Omit<MarkdownOptions, keyof MarkdownLayout> = {}) {
    const { added, changed, removed } = report.summary;
    const total = added + changed + removed;
    const table = new KindTable();
    const images = new ImageTable();
    for (const [position, change] of report.inStorageOrder()) {
      table.add(change);
      images.add(position, change);
    }
    const head: string[] = [];
    if (options.header) head.push(options.header);
    head.push(`### ${escapeMarkdown(options.title ?? 'Manifest diff', 300)}`, '');
    // risks without a changed object (a kustomization file that differs) are still listed
    if (total === 0) head.push(...(report.risks.length > 0 ? [...riskSection(report.risks), ''] : []), '**No rendered changes.**', '');
    else head.push(...riskSection(report.risks), '', `**${total} objects:** ${added} added · ${changed} changed · ${removed} removed`, '', ...table.lines(), '');
    if (options.policy) head.push(...policySection(options.policy), '');
    if (options.plan) head.push(...planSection(options.plan), '');
    const imageLines = images.lines();
    if (imageLines.length) head.push(...imageLines, '');
    this.head = `${head.join('\n')}\n`;
    this.footer = options.footer ? `\n<sub>${escapeMarkdown(options.footer, 300)}</sub>\n` : '';
    for (const risk of report.risks) {
      const key = resourceKey(risk.resource);
      const risks = this.risksByKey.get(key);
      if (risks) risks.push(risk);
      else this.risksByKey.set(key, [risk]);
    }
    this.review = report.ordered(reviewRank(report.risks));
  }

  /**
   * The Markdown in pieces, each holding whole values (so each can be scrubbed on its own). Never
   * longer than `budget`: whole blocks are packed in review order (a block that does not fit is
   * skipped, later smaller ones may still fit), the rest are listed as not shown, and every fence
   * and `<details>` is closed; that body is one piece. With an infinite budget (the full diff)
   * every block is its own piece, after one with the fixed sections, so the whole is never one
   * string; `comment` (from {@link packing}) is then offered every block as it is rendered, so the
   * comment and the full diff are made from one read of each change.
   * @throws Error when the fixed sections alone exceed the budget
   */
  *chunks(layout: MarkdownLayout = {}, comment?: CommentPacking): Generator<string> {
    const { review } = this;
    if ((layout.budget ?? COMMENT_BUDGET) === Infinity) {
      yield this.head;
      for (let position = 0; position < review.length; position++) {
        const change = review.changeAt(position);
        const block = this.blockOf(change);
        comment?.offer(position, change.resource.kind, block);
        yield block;
      }
      yield this.footer;
      return;
    }
    const packing = this.packing(layout);
    for (let position = 0; position < review.length; position++) {
      if (packing.open) {
        const change = review.changeAt(position);
        packing.offer(position, change.resource.kind, this.blockOf(change));
      } else {
        packing.offer(position, review.identityAt(position).resource.kind);
      }
    }
    yield packing.body();
  }

  /** An empty packing of the blocks into `layout`'s budget (for {@link chunks}). */
  packing(layout: MarkdownLayout = {}): CommentPacking {
    return new CommentPacking(this.head, this.footer, layout.budget ?? COMMENT_BUDGET, this.review, layout.fullDiffHint ?? 'the full diff (`--full`)');
  }

  private blockOf(change: ResourceChange): string {
    return `${objectBlock(change, this.risksByKey.get(resourceKey(change.resource)) ?? [])}\n\n`;
  }
}

/**
 * The comment body being packed: the fixed sections, then whole blocks offered in review order
 * while they fit the budget (less a reserve for the not-shown list), the rest listed as not shown.
 */
export class CommentPacking {
  private text: string;
  private readonly hidden: number[] = [];
  private readonly hiddenKinds = new Map<string, number>();
  private readonly reserve: number;
  private offered = 0;

  constructor(head: string, private readonly footer: string, private readonly budget: number, private readonly review: OrderedChanges, private readonly hint: string) {
    this.text = head;
    this.reserve = Number.isFinite(budget) ? Math.min(3_000, Math.floor(budget / 10)) : 0;
  }

  /** Whether any block may still fit; when not, later changes need not be read to be listed as not shown. */
  get open(): boolean {
    return this.text.length + BLOCK_FRAME_CHARS + this.footer.length + this.reserve <= this.budget;
  }

  /** Packs the block of the change at the next position when it fits, else lists the change (of `kind`) as not shown. */
  offer(position: number, kind: string, block?: string): void {
    if (position !== this.offered++) throw new Error(`markdown: block ${position} offered out of order`);
    if (block !== undefined && this.text.length + block.length + this.footer.length + this.reserve <= this.budget) {
      this.text += block;
      return;
    }
    this.hidden.push(position);
    this.hiddenKinds.set(kind, (this.hiddenKinds.get(kind) ?? 0) + 1);
  }

  /**
   * The body, once every change was offered: packed blocks, the not-shown list, the footer.
   * @throws Error when the fixed sections alone exceed the budget, or not every change was offered
   */
  body(): string {
    if (this.offered !== this.review.length) throw new Error(`markdown: ${this.offered} of ${this.review.length} blocks were offered`);
    let body = this.text;
    body += notShown(this.hidden, this.hiddenKinds, this.review, this.budget - body.length - this.footer.length, this.hint);
    body += this.footer;
    if (body.length > this.budget) throw new Error(`markdown body is ${body.length} characters, over the budget of ${this.budget}: the fixed sections alone do not fit`);
    return body;
  }
}

/**
 * The PR comment: risk line, kind × namespace table, policy findings, capacity plan, image changes,
 * then one `<details>` block per object, most risky first. Never longer than `budget`: whole blocks
 * are packed in order (a block that does not fit is skipped, later smaller ones may still fit), the
 * rest are listed as not shown; every fence and `<details>` is closed. For a report whose changes
 * are not held, see {@link MarkdownDraft}.
 */
export function renderMarkdown(report: DiffReport, options: MarkdownOptions = {}): string {
  return [...new MarkdownDraft(reviewable(report), options).chunks(options)].join('');
}

/**
 * The "not shown" list of the changes at `hidden` positions of `review`, fitted into `room`
 * characters: names while they fit, then counts per kind (`kinds`: the hidden changes per kind).
 */
function notShown(hidden: readonly number[], kinds: ReadonlyMap<string, number>, review: OrderedChanges, room: number, hint: string): string {
  if (hidden.length === 0) return '';
  const heading = `**Not shown (${hidden.length} objects, comment size limit; see ${hint}):** `;
  const perKind = [...kinds].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]));
  const tail = (n: number) => {
    if (n === 0) return '';
    const shownKinds = perKind.slice(0, 8).map(([k, count]) => `${escapeMarkdown(k, 60)} ${count}`).join(', ');
    return ` … and ${n} more (${shownKinds}${perKind.length > 8 ? ', …' : ''})`;
  };
  let listed = '';
  let count = 0;
  for (const position of hidden) {
    const { action, resource } = review.identityAt(position);
    const item = `${count ? ' · ' : ''}${escapeMarkdown(describeResource(resource))} (${action})`;
    if (heading.length + listed.length + item.length + tail(hidden.length - count - 1).length + 2 > room) break;
    listed += item;
    count += 1;
  }
  const text = `${heading}${listed}${tail(hidden.length - count)}\n`;
  return text.length <= room ? text : `**Not shown:** ${hidden.length} objects (see ${hint})\n`.slice(0, Math.max(0, room));
}
