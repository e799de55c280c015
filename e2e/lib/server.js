// Starts a Tripline demo node for the tests: builds the binary (unless
// TRIPLINE_BIN names one), runs `tripline demo` on a free port with a fresh
// data directory, and reads the address and the users' tokens it prints.
import {spawn, execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, dirname} from 'node:path';
import {fileURLToPath} from 'node:url';

/** repoRoot is the Go module's directory (the parent of e2e/). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * startDemo resolves to {url, tokens: {officer, analyst, …}, stop()} once
 * the node serves; it rejects if the node exits or says nothing for
 * timeoutMs. env adds to the node's environment (its id, agency, …).
 */
export async function startDemo({timeoutMs = 180000, env = {}} = {}) {
  const work = mkdtempSync(join(tmpdir(), 'tripline-e2e-'));
  let bin = process.env.TRIPLINE_BIN;
  if (!bin) {
    bin = join(work, 'tripline');
    execFileSync('go', ['build', '-o', bin, './cmd/tripline'], {cwd: repoRoot, stdio: 'inherit'});
  }
  const data = join(work, 'data');
  const child = spawn(bin, ['demo', '--addr', '127.0.0.1:0', '--data', data], {
    cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, TRIPLINE_LOG_LEVEL: 'warn', ...env},
  });
  let out = '';
  let errText = '';
  child.stderr.on('data', (b) => {
    errText += b;
    if (process.env.E2E_VERBOSE) process.stderr.write(b);
  });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not start in ${timeoutMs} ms:\n${out}\n${errText}`)), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`demo exited with ${code}:\n${out}\n${errText}`));
    });
    child.stdout.on('data', (b) => {
      out += b;
      const m = out.match(/API:\s+http:\/\/([^/\s]+)\//);
      if (!m) return;
      clearTimeout(timer);
      const tokens = {};
      for (const role of ['officer', 'analyst', 'supervisor', 'auditor', 'admin']) {
        const t = out.match(new RegExp(`^\\s+export ${role.toUpperCase()}_TOKEN=(\\S+)$`, 'm'));
        if (t) tokens[role] = t[1];
      }
      resolve({url: `http://${m[1]}`, tokens});
    });
  });
  const node = await ready;
  node.stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => {
        const t = setTimeout(() => {
          child.kill('SIGKILL');
          r();
        }, 10000);
        child.on('exit', () => {
          clearTimeout(t);
          r();
        });
      });
    }
    rmSync(work, {recursive: true, force: true});
  };
  return node;
}
