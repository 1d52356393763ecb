// Test bookkeeping: each check is a named case that passes, fails (with a message) or is skipped.
import { log } from './proc.mjs';

export class Report {
  constructor() {
    this.results = [];
  }
  pass(name, detail = '') {
    this.results.push({ name, status: 'pass' });
    log(`PASS ${name}${detail ? ` (${detail})` : ''}`);
  }
  fail(name, message) {
    this.results.push({ name, status: 'fail', message });
    log(`FAIL ${name}\n       ${String(message).split('\n').join('\n       ')}`);
  }
  skip(name, why) {
    this.results.push({ name, status: 'skip', message: why });
    log(`SKIP ${name}: ${why}`);
  }
  /** Run fn as one case; a thrown error fails it. */
  async check(name, fn) {
    try {
      const detail = await fn();
      this.pass(name, typeof detail === 'string' ? detail : '');
      return true;
    } catch (e) {
      this.fail(name, e.message);
      return false;
    }
  }
  counts() {
    const c = { pass: 0, fail: 0, skip: 0 };
    for (const r of this.results) c[r.status]++;
    return c;
  }
  failures() {
    return this.results.filter((r) => r.status === 'fail');
  }
}
