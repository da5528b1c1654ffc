// Tells the user when a newer release is out: asks the project's release feed (GitHub's
// "latest release", which leaves out drafts and pre-releases) soon after start and once a day,
// only while Settings → General → "Check for new versions" is on, and sends nothing but the
// request itself. A version is announced once (the notice remembers it in update-check.json);
// Settings keeps saying it until the app is updated. Installing stays the user's: the link
// opens the release page, where the installers are.

import path from 'node:path';
import type { UpdateStatus } from '../../common/ipc-contract';
import { readJsonFile, writeJsonAtomic } from './json-file';

export const RELEASES_FEED = 'https://api.github.com/repos/voxtral-dictate/voxtral-dictate/releases/latest';
/** The first check waits for the app to settle (the model loading has the disk and the network to itself). */
export const FIRST_CHECK_DELAY_MS = 30_000;
export const CHECK_INTERVAL_MS = 24 * 60 * 60 * 1000;
const REQUEST_TIMEOUT_MS = 15_000;
/** A release feed answer is a few kB; more is not one. */
const MAX_FEED_BYTES = 1024 * 1024;
const STATE_FILE = 'update-check.json';

export interface UpdateCheckerOptions {
  /** The running version (app.getVersion()). */
  currentVersion: string;
  /** The release feed; null where the app never checks (the harness, tests). */
  feedUrl: string | null;
  /** Whether the user lets it check (Settings.checkForUpdates). */
  enabled: () => boolean;
  /** Where update-check.json lives (the config folder). */
  stateDir: string;
  /** A newer version, said once per version. */
  announce: (status: UpdateStatus) => void;
  /** Every status change (Settings shows it). */
  onStatus: (status: UpdateStatus) => void;
  fetch?: typeof fetch;
  now?: () => number;
}

interface Release {
  version: string;
  url: string;
}

export class UpdateChecker {
  private current: UpdateStatus;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<UpdateStatus> | null = null;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly options: UpdateCheckerOptions) {
    this.fetch = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
    this.current = this.idle();
  }

  status(): UpdateStatus {
    return structuredClone(this.current);
  }

  /** Checks FIRST_CHECK_DELAY_MS after start, then every CHECK_INTERVAL_MS (while enabled). */
  start(firstDelayMs = FIRST_CHECK_DELAY_MS): void {
    this.schedule(firstDelayMs);
  }

  /** The settings changed: turned off, the status says so; turned on, a check comes soon. */
  settingChanged(): void {
    const enabled = this.options.enabled();
    if (!this.options.feedUrl || enabled === (this.current.state !== 'off')) return;
    this.set(this.idle());
    if (enabled) this.schedule(FIRST_CHECK_DELAY_MS);
    else this.dispose();
  }

  /** Checks now (Settings' "Check now", and the schedule); one check at a time. */
  check(): Promise<UpdateStatus> {
    this.running ??= this.run().finally(() => { this.running = null; });
    return this.running;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delayMs: number): void {
    this.dispose();
    if (!this.options.feedUrl) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const next = () => this.schedule(CHECK_INTERVAL_MS);
      if (this.options.enabled()) void this.check().finally(next);
      else next();
    }, delayMs);
    this.timer.unref?.();
  }

  private async run(): Promise<UpdateStatus> {
    const { feedUrl, currentVersion } = this.options;
    if (!feedUrl || !this.options.enabled()) return this.set(this.idle());
    this.set({ ...this.current, state: 'checking', message: null });
    let release: Release;
    try {
      release = await this.latestRelease(feedUrl);
    } catch (err) {
      return this.set({ ...this.current, state: 'failed', checkedAt: this.now(), message: `Could not check for a new version: ${(err as Error).message}` });
    }
    const newer = compareVersions(release.version, currentVersion) > 0;
    const status = this.set({
      state: newer ? 'available' : 'current', current: currentVersion, latest: newer ? release : null,
      checkedAt: this.now(), message: null,
    });
    if (newer && (await this.firstTimeFor(release.version))) this.options.announce(structuredClone(status));
    return status;
  }

  private async latestRelease(feedUrl: string): Promise<Release> {
    const response = await this.fetch(feedUrl, {
      headers: { Accept: 'application/vnd.github+json' },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      redirect: 'follow',
    });
    if (!response.ok) throw new Error(`the release feed answered ${response.status}`);
    const text = await response.text();
    if (text.length > MAX_FEED_BYTES) throw new Error('the release feed sent more than a release');
    return parseRelease(JSON.parse(text));
  }

  /** True the first time `version` is announced (kept across restarts). */
  private async firstTimeFor(version: string): Promise<boolean> {
    const file = path.join(this.options.stateDir, STATE_FILE);
    const read = await readJsonFile(file).catch(() => ({ kind: 'missing' as const }));
    const announced = read.kind === 'ok' && typeof (read.value as { announced?: unknown })?.announced === 'string'
      ? (read.value as { announced: string }).announced : null;
    if (announced === version) return false;
    // Not remembered (a read-only folder): announced again next start, which loses nothing.
    await writeJsonAtomic(file, { announced: version }).catch(() => undefined);
    return true;
  }

  private idle(): UpdateStatus {
    const why = !this.options.feedUrl ? 'This build does not check for new versions.'
      : !this.options.enabled() ? 'Checking for new versions is off.' : null;
    return { state: why ? 'off' : 'idle', current: this.options.currentVersion, latest: null, checkedAt: null, message: why };
  }

  private set(status: UpdateStatus): UpdateStatus {
    this.current = status;
    this.options.onStatus(structuredClone(status));
    return structuredClone(status);
  }
}

/** A release from GitHub's release JSON; throws with a reason for anything else. */
export function parseRelease(value: unknown): Release {
  const release = value as { tag_name?: unknown; html_url?: unknown; draft?: unknown; prerelease?: unknown };
  if (typeof release !== 'object' || release === null) throw new Error('the release feed sent no release');
  if (typeof release.tag_name !== 'string' || !parseVersion(release.tag_name)) throw new Error('the release has no version number');
  if (typeof release.html_url !== 'string' || !/^https:\/\//.test(release.html_url) || release.html_url.length > 2000) {
    throw new Error('the release has no web page');
  }
  if (release.draft === true || release.prerelease === true) throw new Error('the latest release is not a final one');
  return { version: release.tag_name.replace(/^v/, ''), url: release.html_url };
}

interface Version { core: [number, number, number]; pre: string[] }

function parseVersion(text: string): Version | null {
  const m = /^v?(\d{1,9})\.(\d{1,9})\.(\d{1,9})(?:-([0-9A-Za-z.-]{1,100}))?(?:\+[0-9A-Za-z.-]+)?$/.exec(text.trim());
  if (!m) return null;
  return { core: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ? m[4].split('.') : [] };
}

/** Semantic-version order: > 0 when a is newer; a pre-release is older than its release. Unparsable: 0. */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) return 0;
  for (let i = 0; i < 3; i += 1) if (x.core[i] !== y.core[i]) return x.core[i] - y.core[i];
  if (x.pre.length === 0 || y.pre.length === 0) return y.pre.length - x.pre.length;
  for (let i = 0; i < Math.min(x.pre.length, y.pre.length); i += 1) {
    const [p, q] = [x.pre[i], y.pre[i]];
    if (p === q) continue;
    const [pn, qn] = [/^\d+$/.test(p), /^\d+$/.test(q)];
    if (pn && qn) return Number(p) - Number(q);
    if (pn !== qn) return pn ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return x.pre.length - y.pre.length;
}
