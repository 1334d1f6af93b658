// The npm scripts run `.ts` files with Node's type stripping (Node >= 22.18). `npm install`
// puts the pinned Node 24 (devDependency `node`) first on the scripts' PATH; when its install
// script did not run (`--ignore-scripts`, a denied allowScripts entry) the shell's Node runs
// them instead. CommonJS and plain syntax so that any Node can print this one line.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `Metrion needs Node 24 (>= 22.18) for its scripts, got ${process.version} (${process.execPath}): ` +
      'run `npm install` with install scripts allowed, or install Node 24.',
  );
  process.exit(1);
}
