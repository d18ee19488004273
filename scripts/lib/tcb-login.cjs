/**
 * `tcb login --apiKeyId … --apiKey …` (the CLI's documented non-interactive login)
 * without the key on a command line: this launcher reads `{ secretId, secretKey }` as
 * JSON from stdin, appends the two flags to its own `process.argv` (which `ps` and
 * /proc/<pid>/cmdline never show: they keep the argv the process was started with),
 * then runs the CLI in this same process.
 */
'use strict';
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => {
  const { secretId, secretKey } = JSON.parse(input);
  process.argv.push('login', '--apiKeyId', secretId, '--apiKey', secretKey);
  require('@cloudbase/cli/bin/tcb');
});
