/**
 * Preloaded (`node --require`) into the CloudBase CLI and `npm run deploy` in tests:
 * every TCP connection to a host other than loopback goes to the Tencent Cloud stand-in
 * on 127.0.0.1 instead (TLS to its TLS port, plain TCP to its HTTP port), and every name
 * resolves to 127.0.0.1, so nothing leaves the machine. TLS keeps the original server
 * name, so the client still checks the stand-in's certificate for that host against
 * the test CA it was given (NODE_EXTRA_CA_CERTS): certificate checking stays on.
 *
 * Plain CommonJS with no imports of the project: it runs inside a bundled third-party CLI.
 */
'use strict';
const net = require('node:net');
const tls = require('node:tls');
const dns = require('node:dns');

const tlsPort = Number(process.env.QUICKPHONE_STANDIN_TLS_PORT);
const httpPort = Number(process.env.QUICKPHONE_STANDIN_HTTP_PORT);
if (!tlsPort || !httpPort) throw new Error('redirect.cjs needs QUICKPHONE_STANDIN_TLS_PORT and QUICKPHONE_STANDIN_HTTP_PORT');

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const connect = net.Socket.prototype.connect;

net.Socket.prototype.connect = function redirectedConnect(...args) {
  const first = args[0];
  const options = Array.isArray(first) ? first[0] : first;
  if (options && typeof options === 'object' && !options.path) {
    const host = options.host ?? 'localhost';
    if (!LOOPBACK.has(host)) {
      // A copy: tls.connect keeps the original options to check the certificate's name.
      const moved = { ...options, host: '127.0.0.1', port: this instanceof tls.TLSSocket ? tlsPort : httpPort, lookup: undefined };
      return connect.call(this, moved, ...args.slice(1).filter((a) => typeof a === 'function'));
    }
  } else if (typeof first === 'number' || typeof first === 'string') {
    const host = typeof args[1] === 'string' ? args[1] : 'localhost';
    if (!LOOPBACK.has(host) && !(typeof first === 'string' && Number.isNaN(Number(first)))) {
      const cb = args.find((a) => typeof a === 'function');
      return connect.call(this, this instanceof tls.TLSSocket ? tlsPort : httpPort, '127.0.0.1', ...(cb ? [cb] : []));
    }
  }
  return connect.apply(this, args);
};

// Nothing is looked up on a real DNS server.
const answer = (options) => (options && typeof options === 'object' && options.all ? [{ address: '127.0.0.1', family: 4 }] : '127.0.0.1');
dns.lookup = function lookup(_host, options, callback) {
  const cb = typeof options === 'function' ? options : callback;
  const value = answer(typeof options === 'function' ? undefined : options);
  process.nextTick(() => (Array.isArray(value) ? cb(null, value) : cb(null, value, 4)));
};
dns.promises.lookup = async (_host, options) => {
  const value = answer(options);
  return Array.isArray(value) ? value : { address: value, family: 4 };
};
