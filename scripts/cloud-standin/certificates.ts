/**
 * A certificate authority made at test time with the `openssl` command (on this machine
 * and on CI's Debian; nothing downloaded), and a certificate per host name signed by it,
 * made when a client first asks for that name (SNI). A client trusts the CA through
 * NODE_EXTRA_CA_CERTS and checks names as it would against the real cloud.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';

export interface TestCa {
  /** PEM file of the CA certificate, for NODE_EXTRA_CA_CERTS. */
  caFile: string;
  /** A TLS context whose certificate is valid for `host`. */
  contextFor(host: string): SecureContext;
}

const HOST = /^[A-Za-z0-9.-]{1,253}$/;

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

export function makeTestCa(dir: string): TestCa {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=quickphone test CA (made by the test run)'],
    dir,
  );
  const contexts = new Map<string, SecureContext>();
  let serial = 1;
  return {
    caFile: join(dir, 'ca.pem'),
    contextFor(host) {
      if (!HOST.test(host)) throw new Error(`not a host name: ${JSON.stringify(host)}`);
      let context = contexts.get(host);
      if (!context) {
        const base = `host-${serial++}`;
        writeFileSync(join(dir, `${base}.ext`), `subjectAltName=DNS:${host}\nextendedKeyUsage=serverAuth\n`);
        openssl(['req', ...ec, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${host}`], dir);
        openssl(
          [
            'x509',
            '-req',
            '-in',
            `${base}.csr`,
            '-CA',
            'ca.pem',
            '-CAkey',
            'ca.key',
            '-set_serial',
            String(serial),
            '-days',
            '2',
            '-out',
            `${base}.pem`,
            '-extfile',
            `${base}.ext`,
          ],
          dir,
        );
        context = createSecureContext({ key: readFileSync(join(dir, `${base}.key`)), cert: readFileSync(join(dir, `${base}.pem`)) });
        contexts.set(host, context);
      }
      return context;
    },
  };
}
