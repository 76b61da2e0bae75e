import { Command, Option } from 'commander';
import {
  addAccount,
  changeRole,
  consoleUrl,
  createApiToken,
  disableAccount,
  enableAccount,
  listAccounts,
  listApiTokens,
  parseRole,
  removeSecondFactors,
  resetAccount,
  revokeApiToken,
  ROLES,
  securityLog,
  SECURITY_EVENTS,
  setPasswordLink,
  setTwoFactorRequired,
  type AccountView,
} from '../accounts/index.ts';
import type { Config } from '../config.ts';
import { invalidInput } from '../lib/errors.ts';
import { parseInstant } from '../lib/time.ts';
import { formatTable, printJson, printLine, readPassword, say } from './io.ts';
import { withContext, wholeNumber } from './options.ts';

const ROLE_HELP = `admin (accounts, settings, everything), responder (incidents, imports, scoping, detection), privacy (notices, campaigns, compliance, reports) or viewer (reads everything, personal data masked)`;

function consoleUrlOption(): Option {
  return new Option('--console-url <url>', "the staff console's address, for the set-password link (default: http:// and the staff listener's address, `listen`)");
}

export function userCommand(): Command {
  const user = new Command('user').description('manage staff accounts: who may sign in to the console and the API, and with which role');

  user
    .command('add')
    .description('add an account; prints a one-time set-password link (valid 24 h) unless --password-stdin gives the password')
    .argument('<email>', "the person's email: it names the account")
    .requiredOption('--role <role>', ROLE_HELP, parseRole)
    .option('--password-stdin', 'read the password from standard input (one line) instead of printing a link')
    .addOption(consoleUrlOption())
    .option('--json', 'print JSON')
    .action(async (email: string, options, cmd: Command) => {
      const password = options.passwordStdin ? await readPassword() : undefined;
      await withContext(cmd, async (ctx) => {
        // Checked before the account is added: a link that cannot be printed must not leave one behind.
        const address = consoleAddress(options.consoleUrl, ctx.config);
        const { account, set_password_token } = await addAccount(ctx, { email, role: options.role, password });
        const link = set_password_token ? setPasswordLink(address, set_password_token) : undefined;
        if (options.json) return printJson({ account, ...(link ? { set_password_link: link } : {}) });
        say(`added ${account.email} as ${account.role}${account.must_enrol_2fa ? '; two-factor sign-in is required, so they enrol it at their first sign-in' : ''}`);
        if (link) {
          say('send them this link to set their password (it works once, for 24 hours):');
          printLine(link);
        }
      });
    });

  user
    .command('list')
    .description('list the accounts')
    .option('--json', 'print JSON')
    .action(async (options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const accounts = await listAccounts(ctx);
        if (options.json) return printJson(accounts);
        if (accounts.length === 0) return say("no accounts yet; add one with 'tocsin user add EMAIL --role admin'");
        printLine(formatTable(['EMAIL', 'ROLE', 'STATUS', '2FA', 'CREATED'], accounts.map((a) => [a.email, a.role, status(a), twoFactor(a), a.created_at])));
      });
    });

  user
    .command('disable')
    .description('disable an account: its sessions end at once and it can no longer sign in')
    .argument('<email>')
    .action(async (email: string, _options, cmd: Command) => {
      await withContext(cmd, async (ctx) => say(`disabled ${(await disableAccount(ctx, email)).email}; its sessions have ended`));
    });

  user
    .command('enable')
    .description('enable a disabled account again')
    .argument('<email>')
    .action(async (email: string, _options, cmd: Command) => {
      await withContext(cmd, async (ctx) => say(`enabled ${(await enableAccount(ctx, email)).email}`));
    });

  user
    .command('reset')
    .description('for a forgotten or exposed password: the old one stops working, every session ends, and a new one-time set-password link is printed')
    .argument('<email>')
    .addOption(consoleUrlOption())
    .option('--json', 'print JSON')
    .action(async (email: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const address = consoleAddress(options.consoleUrl, ctx.config);
        const { account, set_password_token } = await resetAccount(ctx, email);
        const link = setPasswordLink(address, set_password_token);
        if (options.json) return printJson({ account, set_password_link: link });
        say(`reset ${account.email}: its password no longer works and its sessions have ended; send them this link (it works once, for 24 hours):`);
        printLine(link);
      });
    });

  user
    .command('role')
    .description("change an account's role; its sessions end, so it signs in again under the new role")
    .argument('<email>')
    .argument('<role>', ROLES.join(', '), parseRole)
    .action(async (email: string, role, _options, cmd: Command) => {
      await withContext(cmd, async (ctx) => say(`${(await changeRole(ctx, email, role)).email} is now ${role}`));
    });

  user
    .command('remove-2fa')
    .description("for someone who lost their authenticator app, recovery codes and passkeys: removes them all and ends the account's sessions")
    .argument('<email>')
    .action(async (email: string, _options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const account = await removeSecondFactors(ctx, email);
        say(`removed the second factors of ${account.email}; its sessions have ended${account.must_enrol_2fa ? ', and it must enrol a new one at its next sign-in' : ''}`);
      });
    });

  user
    .command('require-2fa')
    .description('require (on) or stop requiring (off) a second factor of every account: an authenticator app or a passkey, enrolled at the next sign-in')
    .argument('<on|off>')
    .action(async (value: string, _options, cmd: Command) => {
      if (value !== 'on' && value !== 'off') throw invalidInput('BAD_SWITCH', `'${value}' is neither on nor off`);
      await withContext(cmd, async (ctx) => {
        const { must_enrol } = await setTwoFactorRequired(ctx, value === 'on');
        say(value === 'on' ? `two-factor sign-in is required; ${must_enrol} account(s) must enrol a second factor at their next sign-in` : 'two-factor sign-in is no longer required');
      });
    });

  return user;
}

export function tokenCommand(): Command {
  const token = new Command('token').description('API tokens for automation: sent as "Authorization: Bearer TOKEN"');

  token
    .command('create')
    .description('create a token; it is printed this once (only a keyed hash of it is kept)')
    .requiredOption('--role <role>', ROLE_HELP, parseRole)
    .requiredOption('--name <name>', 'what uses it, e.g. "nightly import"')
    .option('--json', 'print JSON')
    .action(async (options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const created = await createApiToken(ctx, { name: options.name, role: options.role });
        if (options.json) return printJson(created);
        say(`created token ${created.api_token.id} (${created.api_token.name}, ${created.api_token.role}); store it now, it is not shown again:`);
        printLine(created.token);
      });
    });

  token
    .command('list')
    .description('list the tokens (never the tokens themselves)')
    .option('--json', 'print JSON')
    .action(async (options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const tokens = await listApiTokens(ctx);
        if (options.json) return printJson(tokens);
        printLine(formatTable(['ID', 'NAME', 'ROLE', 'CREATED', 'BY', 'LAST USED', 'REVOKED'], tokens.map((t) => [t.id, t.name, t.role, t.created_at, t.created_by, t.last_used_at ?? '—', t.revoked_at ?? '—'])));
      });
    });

  token
    .command('revoke')
    .description('revoke a token at once')
    .argument('<id-or-name>', "the token's id, or its name when one live token has it")
    .action(async (idOrName: string, _options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const revoked = await revokeApiToken(ctx, idOrName);
        say(`revoked token ${revoked.id} (${revoked.name})`);
      });
    });

  return token;
}

export function securityLogCommand(): Command {
  return new Command('security-log')
    .description(`print the security log: ${SECURITY_EVENTS.join(', ')}; with who, from which address, when (never a password, code or token)`)
    .option('--since <iso>', 'only entries from this instant on, e.g. 2026-03-01T00:00Z')
    .option('--limit <n>', 'at most this many entries, the newest', wholeNumber('--limit'), 1000)
    .option('--before <id>', 'only entries older than this one (its id, in --json): the page before', wholeNumber('--before'))
    .option('--json', 'print JSON')
    .action(async (options, cmd: Command) => {
      const since = options.since === undefined ? undefined : parseInstant(options.since, '--since');
      await withContext(cmd, async (ctx) => {
        const rows = await securityLog(ctx, { since, before: options.before, limit: options.limit });
        if (options.json) return printJson(rows);
        printLine(
          formatTable(
            ['AT', 'EVENT', 'ACCOUNT', 'ACTOR', 'ADDRESS', 'DETAILS'],
            rows.map((row) => [row.at, row.event, row.email ?? '—', row.actor, row.address ?? '—', Object.entries(row.details).map(([key, value]) => `${key}=${value}`).join(' ')]),
          ),
        );
      });
    });
}

function status(account: AccountView): string {
  if (account.disabled) return 'disabled';
  return account.has_password ? 'active' : 'awaiting password';
}

function twoFactor(account: AccountView): string {
  if (account.two_factor.length > 0) return account.two_factor.join('+');
  return account.must_enrol_2fa ? 'must enrol' : '—';
}

/** A wildcard listener (0.0.0.0, [::]) names every address of the machine and none a browser can be sent to. */
const WILDCARD_HOST = /^(0\.0\.0\.0|\[(0*:)*:?0*\])$/;

/** The console's address for links: `--console-url`, else the staff listener (`listen`) over http. */
function consoleAddress(flag: string | undefined, config: Config): URL {
  if (flag !== undefined) return consoleUrl(flag, '--console-url');
  const host = config.listen.slice(0, config.listen.lastIndexOf(':'));
  if (WILDCARD_HOST.test(host)) {
    throw invalidInput('NO_CONSOLE_URL', `the staff listener (listen: ${config.listen}) names no address a browser can be sent to; give the console's address with --console-url, e.g. https://tocsin.shop.example`);
  }
  return consoleUrl(`http://${config.listen}`, 'listen');
}

