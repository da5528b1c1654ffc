// Assembles a .deb from electron-builder's `--dir` output with dpkg-deb, for machines where the
// builder's own deb target cannot download fpm. The layout follows electron-builder's deb:
// the app in /opt/<productName>, a /usr/bin launcher link, a desktop entry and hicolor icons.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const CLI_LAUNCHER = 'voxtral';
const DEB_ARCH = { x64: 'amd64', arm64: 'arm64', armv7l: 'armhf', ia32: 'i386' };
const DPKG_COMPRESSION = { store: ['-Znone'], normal: ['-Zxz', '-z6'], maximum: ['-Zxz', '-z9'] };

/**
 * @param {{
 *   unpackedDir: string, outDir: string, arch?: keyof typeof DEB_ARCH,
 *   compression?: keyof typeof DPKG_COMPRESSION, iconsDir: string,
 *   pkg: { name: string, version: string, description: string, homepage: string },
 *   config: import('electron-builder').Configuration,
 * }} options
 * @returns {string} the path of the .deb written
 */
export function makeDeb({ unpackedDir, outDir, arch = 'x64', compression = 'normal', iconsDir, pkg, config }) {
  const productName = required(config.productName, 'productName');
  const linux = config.linux ?? {};
  const deb = config.deb ?? {};
  const executableName = required(linux.executableName ?? config.executableName, 'linux.executableName');
  const debArch = DEB_ARCH[arch];
  if (!debArch) throw new Error(`no Debian architecture for ${arch}`);
  if (!existsSync(path.join(unpackedDir, executableName))) {
    throw new Error(`${unpackedDir} is not an unpacked ${productName}: ${executableName} is missing`);
  }

  const root = path.join(outDir, `.deb-root-${arch}`);
  rmSync(root, { recursive: true, force: true });
  const installDir = `/opt/${productName}`;
  cpSync(unpackedDir, path.join(root, installDir), { recursive: true, verbatimSymlinks: true });

  mkdirSync(path.join(root, 'usr/bin'), { recursive: true });
  symlinkSync(`${installDir}/${executableName}`, path.join(root, 'usr/bin', executableName));
  // The CLI launcher (build/linux/voxtral), when the app carries it.
  if (existsSync(path.join(unpackedDir, CLI_LAUNCHER))) symlinkSync(`${installDir}/${CLI_LAUNCHER}`, path.join(root, 'usr/bin', CLI_LAUNCHER));

  const desktopFile = required(config.extraMetadata?.desktopName, 'extraMetadata.desktopName');
  writeDesktopEntry(root, { productName, executableName, installDir, desktopFile, desktop: linux.desktop?.entry ?? {} });
  copyIcons(root, iconsDir, executableName);
  installFpmMappings(root, deb.fpm ?? []);

  const debian = path.join(root, 'DEBIAN');
  mkdirSync(debian, { recursive: true });
  writeFileSync(path.join(debian, 'control'), controlFile({ pkg, config, debArch, installedKiB: diskUsageKiB(root) }));
  // Electron's setuid sandbox helper must be root-owned 4755 where unprivileged user namespaces are off.
  if (existsSync(path.join(unpackedDir, 'chrome-sandbox'))) {
    const postinst = path.join(debian, 'postinst');
    writeFileSync(postinst, `#!/bin/sh\nset -e\nchmod 4755 '${installDir}/chrome-sandbox' || true\n`);
    chmodSync(postinst, 0o755);
  }

  mkdirSync(outDir, { recursive: true });
  const debPath = path.join(outDir, `${pkg.name}_${debianVersion(pkg.version)}_${debArch}.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', ...DPKG_COMPRESSION[compression], '--build', root, debPath], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  rmSync(root, { recursive: true, force: true });
  return debPath;
}

/** The entry electron-builder's own deb writes: named after desktopName, whose basename is also
 * the running window's WM_CLASS. */
function writeDesktopEntry(root, { productName, executableName, installDir, desktopFile, desktop }) {
  const entry = {
    Name: productName,
    Exec: `"${installDir}/${executableName}" %U`,
    Terminal: 'false',
    Type: 'Application',
    Icon: executableName,
    StartupWMClass: desktopFile.replace(/\.desktop$/, ''),
    ...desktop,
  };
  const text = ['[Desktop Entry]', ...Object.entries(entry).map(([k, v]) => `${k}=${v}`), ''].join('\n');
  const file = path.join(root, 'usr/share/applications', desktopFile);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function controlFile({ pkg, config, debArch, installedKiB }) {
  const deb = config.deb ?? {};
  const linux = config.linux ?? {};
  const maintainer = required(linux.maintainer, 'linux.maintainer');
  const synopsis = linux.synopsis ?? pkg.description;
  const long = (linux.description ?? pkg.description).split('\n').map((l) => ` ${l.trim() || '.'}`);
  const fields = [
    ['Package', pkg.name],
    ['Version', debianVersion(pkg.version)],
    ['Architecture', debArch],
    ['Maintainer', maintainer],
    ['Installed-Size', String(installedKiB)],
    ['Depends', (deb.depends ?? []).join(', ')],
    ['Recommends', (deb.recommends ?? []).join(', ')],
    ['Section', 'utils'],
    ['Priority', deb.priority ?? 'optional'],
    ['Homepage', pkg.homepage],
    ['Description', `${synopsis}\n${long.join('\n')}`],
  ];
  return fields.filter(([, v]) => v !== '').map(([k, v]) => `${k}: ${v}`).join('\n') + '\n';
}

/** Copies the `source=/destination` file mappings of deb.fpm, as fpm would; other fpm options
 * have no dpkg-deb equivalent and are refused rather than silently dropped. */
function installFpmMappings(root, fpmArgs) {
  for (const arg of fpmArgs) {
    const match = /^([^=]+)=(\/.+)$/.exec(arg);
    if (!match || !path.isAbsolute(match[1])) throw new Error(`deb.fpm: only "/absolute/source=/destination" mappings are supported here, got ${arg}`);
    const dest = path.join(root, match[2]);
    mkdirSync(path.dirname(dest), { recursive: true });
    cpSync(match[1], dest);
  }
}

/** Installs build/icons/<N>x<N>.png into the hicolor theme under the executable's name. */
function copyIcons(root, iconsDir, executableName) {
  for (const file of readdirSync(iconsDir)) {
    const match = /^(\d+)x\1\.png$/.exec(file);
    if (!match) continue;
    const dest = path.join(root, 'usr/share/icons/hicolor', `${match[1]}x${match[1]}`, 'apps', `${executableName}.png`);
    mkdirSync(path.dirname(dest), { recursive: true });
    cpSync(path.join(iconsDir, file), dest);
  }
}

function diskUsageKiB(dir) {
  let bytes = 0;
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile()) bytes += statSync(p).size;
    }
  };
  walk(dir);
  return Math.ceil(bytes / 1024);
}

/** SemVer pre-releases sort before the release in Debian only with '~' (as electron-builder's deb). */
export function debianVersion(version) {
  return version.replace(/-/g, '~');
}

function required(value, name) {
  if (typeof value !== 'string' || value === '') throw new Error(`electron-builder config lacks ${name}`);
  return value;
}
