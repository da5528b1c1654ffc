import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { UpdateStatus } from '../../../electron/common/ipc-contract';
import { eventValidators } from '../../../electron/common/ipc-contract';
import { check } from '../../../electron/common/validate';
import { compareVersions, parseRelease, UpdateChecker } from '../../../electron/core/app/update-checker';
import { useTempDirs } from './temp-dir';

const tempDir = useTempDirs();

/** A stand-in for GitHub's releases/latest: answers what `reply` says, counts the requests. */
async function feed(reply: () => { status?: number; body: unknown }) {
  const seen: { accept: string | undefined }[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ accept: req.headers.accept });
    const { status = 200, body } = reply();
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/repos/x/y/releases/latest`, seen };
}
const servers: Server[] = [];
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r)))); });

const release = (tag: string) => ({ tag_name: tag, html_url: `https://github.com/voxtral-dictate/voxtral-dictate/releases/tag/${tag}`, draft: false, prerelease: false });

function checker(feedUrl: string | null, stateDir: string, options: { current?: string; enabled?: () => boolean } = {}) {
  const announced: UpdateStatus[] = [];
  const statuses: UpdateStatus[] = [];
  const updates = new UpdateChecker({
    currentVersion: options.current ?? '0.1.0', feedUrl, enabled: options.enabled ?? (() => true), stateDir,
    announce: (status) => announced.push(status), onStatus: (status) => statuses.push(status),
  });
  return { updates, announced, statuses };
}

describe('UpdateChecker', () => {
  it('finds a newer release, announces it once (across restarts too), and keeps saying it in its status', async () => {
    let tag = 'v0.2.0';
    const { url, seen } = await feed(() => ({ body: release(tag) }));
    const dir = await tempDir();
    const first = checker(url, dir);
    const status = await first.updates.check();
    expect(status).toMatchObject({ state: 'available', current: '0.1.0', latest: { version: '0.2.0', url: expect.stringMatching(/^https:\/\/github\.com\/.*v0\.2\.0$/) }, message: null });
    expect(check(eventValidators.update, status).ok).toBe(true);
    expect(first.statuses.map((s) => s.state)).toEqual(['checking', 'available']);
    expect(seen[0].accept).toBe('application/vnd.github+json');
    await first.updates.check();
    expect(first.announced.map((s) => s.latest?.version)).toEqual(['0.2.0']);

    const restarted = checker(url, dir);
    expect(await restarted.updates.check()).toMatchObject({ state: 'available' });
    expect(restarted.announced).toEqual([]); // told once already
    tag = 'v0.3.0';
    await restarted.updates.check();
    expect(restarted.announced.map((s) => s.latest?.version)).toEqual(['0.3.0']);
  });

  it('the same or an older release: current, nothing announced', async () => {
    const { url } = await feed(() => ({ body: release('v0.1.0') }));
    const same = checker(url, await tempDir());
    expect(await same.updates.check()).toMatchObject({ state: 'current', latest: null, checkedAt: expect.any(Number) });
    const ahead = checker(url, await tempDir(), { current: '0.2.0-beta.1' });
    expect(await ahead.updates.check()).toMatchObject({ state: 'current' });
    expect([...same.announced, ...ahead.announced]).toEqual([]);
  });

  it('asks nothing while the user has it off, or in a build without a feed, and says which', async () => {
    const { url, seen } = await feed(() => ({ body: release('v9.0.0') }));
    let enabled = false;
    const off = checker(url, await tempDir(), { enabled: () => enabled });
    expect(await off.updates.check()).toMatchObject({ state: 'off', message: 'Checking for new versions is off.' });
    off.updates.start(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([]);
    enabled = true;
    off.updates.settingChanged();
    expect(off.updates.status()).toMatchObject({ state: 'idle', message: null }); // not "off" beside a ticked box
    expect(await off.updates.check()).toMatchObject({ state: 'available' });
    enabled = false;
    off.updates.settingChanged();
    expect(off.updates.status()).toMatchObject({ state: 'off', latest: null });
    off.updates.dispose();
    const none = checker(null, await tempDir());
    expect(await none.updates.check()).toMatchObject({ state: 'off', message: 'This build does not check for new versions.' });
    expect(seen).toHaveLength(1);
  });

  it('checks soon after start on its own (then daily), once at a time', async () => {
    const { url, seen } = await feed(() => ({ body: release('v0.1.0') }));
    const { updates, statuses } = checker(url, await tempDir());
    updates.start(5);
    await expect.poll(() => statuses.at(-1)?.state, { timeout: 2000 }).toBe('current');
    const [a, b] = [updates.check(), updates.check()];
    expect(a).toBe(b);
    await a;
    expect(seen).toHaveLength(2);
    updates.dispose();
  });

  it('a feed that fails or answers nonsense is a failed check with the reason, never a crash', async () => {
    let reply: { status?: number; body: unknown } = { status: 503, body: { message: 'busy' } };
    const { url } = await feed(() => reply);
    const { updates, announced } = checker(url, await tempDir());
    const failed = async (body: unknown, status = 200) => {
      reply = { status, body };
      return (await updates.check()).message;
    };
    expect(await failed({ message: 'busy' }, 503)).toBe('Could not check for a new version: the release feed answered 503');
    expect(await failed('not json{')).toMatch(/^Could not check for a new version: .*JSON/);
    expect(await failed({ tag_name: 'nightly', html_url: 'https://x' })).toBe('Could not check for a new version: the release has no version number');
    expect(await failed({ ...release('v1.0.0'), html_url: 'http://github.com/x' })).toBe('Could not check for a new version: the release has no web page');
    expect(await failed({ ...release('v1.0.0'), prerelease: true })).toBe('Could not check for a new version: the latest release is not a final one');
    expect(await failed('x'.repeat(2 * 1024 * 1024))).toBe('Could not check for a new version: the release feed sent more than a release');
    expect(updates.status()).toMatchObject({ state: 'failed', checkedAt: expect.any(Number) });
    const unreachable = checker('http://127.0.0.1:9/latest', await tempDir());
    expect(await unreachable.updates.check()).toMatchObject({ state: 'failed', message: expect.stringMatching(/^Could not check for a new version: /) });
    expect(announced).toEqual([]);
  });
});

describe('versions', () => {
  it('orders them as semantic versions: numbers numerically, a pre-release before its release', () => {
    const ascending = ['0.1.0', '0.1.1', '0.2.0-alpha', '0.2.0-alpha.2', '0.2.0-alpha.10', '0.2.0-beta', '0.2.0', '0.10.0', '1.0.0'];
    for (let i = 1; i < ascending.length; i += 1) {
      expect(compareVersions(ascending[i], ascending[i - 1]), `${ascending[i]} > ${ascending[i - 1]}`).toBeGreaterThan(0);
      expect(compareVersions(ascending[i - 1], ascending[i])).toBeLessThan(0);
    }
    expect(compareVersions('v1.2.3', '1.2.3')).toBe(0);
    expect(compareVersions('1.2.3+build.5', '1.2.3')).toBe(0);
    expect(compareVersions('banana', '1.0.0')).toBe(0); // never "newer"
  });

  it('reads a release: the version without its "v", the https page', () => {
    expect(parseRelease(release('v1.4.0'))).toEqual({ version: '1.4.0', url: 'https://github.com/voxtral-dictate/voxtral-dictate/releases/tag/v1.4.0' });
    expect(() => parseRelease(null)).toThrow('the release feed sent no release');
  });
});
