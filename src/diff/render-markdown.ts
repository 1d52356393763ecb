import { fieldDiffLines } from './format-value.js';
import { CapacityDeltaTable, PolicyFinding } from './findings.js';
import { describeResource, DiffReport, resourceKey, ResourceChange, Risk, RiskLevel } from './model.js';
import { compareText, parseImage, imageChangeKind } from './risks.js';
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

const LEVEL_RANK: Record<RiskLevel, number> = { high: 0, medium: 1, low: 2 };
const ACTION_RANK: Record<ResourceChange['action'], number> = { removed: 0, changed: 1, added: 2 };
const SYMBOL: Record<ResourceChange['action'], string> = { added: '+', removed: '−', changed: '±' };
const KIND_PRIORITY = ['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'StatefulSet', 'PersistentVolumeClaim', 'Deployment', 'DaemonSet', 'Job', 'CronJob', 'Service', 'NetworkPolicy', 'ConfigMap', 'Secret'];
const kindRank = (kind: string) => (KIND_PRIORITY.includes(kind) ? KIND_PRIORITY.indexOf(kind) : KIND_PRIORITY.length);

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

/** Changes in comment order: most serious risk first, then removed, changed, added, then kind priority and name. */
export function orderForReview(report: DiffReport): ResourceChange[] {
  const worst = new Map<string, number>();
  for (const risk of report.risks) {
    const key = resourceKey(risk.resource);
    worst.set(key, Math.min(worst.get(key) ?? 3, LEVEL_RANK[risk.level]));
  }
  const rank = (c: ResourceChange) => worst.get(resourceKey(c.resource)) ?? 3;
  return [...report.changes].sort((a, b) => rank(a) - rank(b)
    || ACTION_RANK[a.action] - ACTION_RANK[b.action]
    || kindRank(a.resource.kind) - kindRank(b.resource.kind)
    || compareText(a.resource.kind, b.resource.kind)
    || compareText(a.resource.namespace, b.resource.namespace)
    || compareText(a.resource.name, b.resource.name));
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

function summaryTable(changes: readonly ResourceChange[]): string[] {
  type Row = { kind: string; namespace: string; added: number; changed: number; removed: number };
  const tally = (byNamespace: boolean) => {
    const rows = new Map<string, Row>();
    for (const c of changes) {
      const namespace = byNamespace ? c.resource.namespace : '(all)';
      const key = `${c.resource.kind}\0${namespace}`;
      const row = rows.get(key) ?? { kind: c.resource.kind, namespace, added: 0, changed: 0, removed: 0 };
      row[c.action] += 1;
      rows.set(key, row);
    }
    return [...rows.values()].sort((a, b) => compareText(a.kind, b.kind) || compareText(a.namespace, b.namespace));
  };
  let rows = tally(true);
  if (rows.length > MAX_TABLE_ROWS) rows = tally(false);
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

/** Image changes of existing containers: `containers[name=x].image` fields whose both sides are strings. */
export function imageChanges(changes: readonly ResourceChange[]): { resource: string; container: string; before: string; after: string }[] {
  const found: { resource: string; container: string; before: string; after: string }[] = [];
  for (const change of changes) {
    for (const field of change.fields) {
      const match = /(?:containers|initContainers)\[name=("(?:[^"\\]|\\.)*"|[^\]]*)\]\.image$/.exec(field.path);
      if (!match || typeof field.before !== 'string' || typeof field.after !== 'string') continue;
      const container = match[1].startsWith('"') ? String(JSON.parse(match[1])) : match[1];
      found.push({ resource: describeResource(change.resource), container, before: field.before, after: field.after });
    }
  }
  return found;
}

function imageSection(changes: readonly ResourceChange[]): string[] {
  const images = imageChanges(changes);
  if (images.length === 0) return [];
  const lines = [`**Image changes (${images.length}):**`, '', '| Object | Container | From | To | Change |', '|---|---|---|---|---|'];
  for (const image of images.slice(0, MAX_IMAGE_ROWS)) {
    const kind = imageChangeKind(parseImage(image.before), parseImage(image.after));
    lines.push(`| ${escapeMarkdown(image.resource)} | ${escapeMarkdown(image.container)} | ${escapeMarkdown(image.before)} | ${escapeMarkdown(image.after)} | ${kind} |`);
  }
  if (images.length > MAX_IMAGE_ROWS) lines.push(`| … ${images.length - MAX_IMAGE_ROWS} more | | | | |`);
  return lines;
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
 * The PR comment: risk line, kind × namespace table, policy findings, capacity plan, image changes,
 * then one `<details>` block per object, most risky first. Never longer than `budget`: whole blocks
 * are packed in order (a block that does not fit is skipped, later smaller ones may still fit), the
 * rest are listed as not shown; every fence and `<details>` is closed.
 */
export function renderMarkdown(report: DiffReport, options: MarkdownOptions = {}): string {
  const budget = options.budget ?? COMMENT_BUDGET;
  const { added, changed, removed } = report.summary;
  const total = added + changed + removed;
  const head: string[] = [];
  if (options.header) head.push(options.header);
  head.push(`### ${escapeMarkdown(options.title ?? 'Manifest diff', 300)}`, '');
  if (total === 0) head.push('**No rendered changes.**', '');
  else head.push(...riskSection(report.risks), '', `**${total} objects:** ${added} added · ${changed} changed · ${removed} removed`, '', ...summaryTable(report.changes), '');
  if (options.policy) head.push(...policySection(options.policy), '');
  if (options.plan) head.push(...planSection(options.plan), '');
  const images = imageSection(report.changes);
  if (images.length) head.push(...images, '');
  const footer = options.footer ? `\n<sub>${escapeMarkdown(options.footer, 300)}</sub>\n` : '';
  let body = `${head.join('\n')}\n`;
  const risksByKey = new Map<string, Risk[]>();
  for (const risk of report.risks) {
    const key = resourceKey(risk.resource);
    risksByKey.set(key, [...(risksByKey.get(key) ?? []), risk]);
  }
  const hidden: ResourceChange[] = [];
  const reserve = Number.isFinite(budget) ? Math.min(3_000, Math.floor(budget / 10)) : 0;
  for (const change of orderForReview(report)) {
    const block = `${objectBlock(change, risksByKey.get(resourceKey(change.resource)) ?? [])}\n\n`;
    if (body.length + block.length + footer.length + reserve <= budget) body += block;
    else hidden.push(change);
  }
  body += notShown(hidden, budget - body.length - footer.length, options.fullDiffHint ?? 'the full diff (`--full`)');
  body += footer;
  if (body.length > budget) throw new Error(`markdown body is ${body.length} characters, over the budget of ${budget}: the fixed sections alone do not fit`);
  return body;
}

/** The "not shown" list, fitted into `room` characters: names while they fit, then counts per kind. */
function notShown(hidden: readonly ResourceChange[], room: number, hint: string): string {
  if (hidden.length === 0) return '';
  const heading = `**Not shown (${hidden.length} objects, comment size limit; see ${hint}):** `;
  const kinds = new Map<string, number>();
  for (const c of hidden) kinds.set(c.resource.kind, (kinds.get(c.resource.kind) ?? 0) + 1);
  const perKind = [...kinds].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]));
  const tail = (n: number) => {
    if (n === 0) return '';
    const shownKinds = perKind.slice(0, 8).map(([k, count]) => `${escapeMarkdown(k, 60)} ${count}`).join(', ');
    return ` … and ${n} more (${shownKinds}${perKind.length > 8 ? ', …' : ''})`;
  };
  let listed = '';
  let count = 0;
  for (const change of hidden) {
    const item = `${count ? ' · ' : ''}${escapeMarkdown(describeResource(change.resource))} (${change.action})`;
    if (heading.length + listed.length + item.length + tail(hidden.length - count - 1).length + 2 > room) break;
    listed += item;
    count += 1;
  }
  const text = `${heading}${listed}${tail(hidden.length - count)}\n`;
  return text.length <= room ? text : `**Not shown:** ${hidden.length} objects (see ${hint})\n`.slice(0, Math.max(0, room));
}
