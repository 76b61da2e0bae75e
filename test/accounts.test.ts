import { TOTP, Secret } from 'otpauth';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  addAccount,
  authenticateBearer,
  authenticateSession,
  beginTotpEnrolment,
  changePassword,
  changeRole,
  confirmTotpEnrolment,
  createApiToken,
  disableAccount,
  listAccounts,
  listApiTokens,
  login,
  logout,
  logoutEverywhere,
  loginWithPasskey,
  passkeyRegistrationOptions,
  passkeySignInOptions,
  registerPasskey,
  removePasskey,
  removeSecondFactors,
  removeTotp,
  renewRecoveryCodes,
  resetAccount,
  revokeApiToken,
  securityLog,
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  setPasswordWithLink,
  setTwoFactorRequired,
} from '../src/accounts/index.ts';
import { addressThrottleKey } from '../src/accounts/throttle.ts';
import type { OpenContext } from '../src/context.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { SoftwareAuthenticator } from './helpers/passkey.ts';

const PASSWORD = 'velvet harbour quietly juggles 42 lanterns';
const START = Date.parse('2026-03-02T09:00:00Z');

/** The error a promise fails with, as `CODE (kind): message`, with its retry_after when it has one. */
async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const { code, kind, retry_after, message } = error as { code?: string; kind?: string; retry_after?: number; message: string };
    return `${code} (${kind}${retry_after === undefined ? '' : `, retry_after ${retry_after}`}): ${message}`;
  }
  throw new Error('expected a failure');
}

describeEachDatabase('staff accounts', (database) => {
  let ctx: OpenContext;
  let clock = START;
  const tick = (ms: number) => (clock += ms);
  let n = 0;
  /** A fresh address per test, so one test's failures do not throttle the next. */
  const address = () => `192.0.2.${++n}`;
  const email = (name: string) => `${name}.${n}@shop.example`;

  beforeAll(async () => {
    ctx = await database().context({ now: () => new Date(clock), actor: 'root' });
  });
  afterAll(() => ctx?.close());

  it('signs in with the password, and the session cookie names the account until logout', async () => {
    const from = address();
    const { account } = await addAccount(ctx, { email: ` ${email('Ana')} `.replace('ana', 'ANA'), role: 'responder', password: PASSWORD });
    expect(account).toMatchObject({ email: email('ana'), role: 'responder', has_password: true, disabled: false, two_factor: [] });
    const { session_token, principal } = await login(ctx, { email: email('ana').toUpperCase(), password: PASSWORD, address: from });
    expect(session_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(principal).toMatchObject({ account_id: account.id, email: email('ana'), role: 'responder', via: 'session' });
    expect(await authenticateSession(ctx, session_token)).toEqual(principal);
    await logout(ctx, principal.session_id!);
    expect(await authenticateSession(ctx, session_token)).toBeNull();
    expect(await authenticateSession(ctx, 'not a token')).toBeNull();
  });

  it('answers an unknown email, a wrong password and a disabled account alike', async () => {
    const from = address();
    await addAccount(ctx, { email: email('bo'), role: 'viewer', password: PASSWORD });
    await addAccount(ctx, { email: email('cy'), role: 'viewer', password: PASSWORD });
    await disableAccount(ctx, email('cy'));
    const unknown = await failure(login(ctx, { email: email('nobody'), password: PASSWORD, address: from }));
    const wrong = await failure(login(ctx, { email: email('bo'), password: `${PASSWORD}!`, address: from }));
    const disabled = await failure(login(ctx, { email: email('cy'), password: PASSWORD, address: from }));
    expect(unknown).toBe('LOGIN_FAILED (unauthenticated): the email or password is wrong');
    expect(wrong).toBe(unknown);
    expect(disabled).toBe(unknown);
    const failed = (await securityLog(ctx)).filter((row) => row.event === 'login_failed' && row.address === from);
    expect(failed.map((row) => [row.email, row.details.reason])).toEqual([
      [null, 'unknown_account'],
      [email('bo'), 'wrong_password'],
      [email('cy'), 'disabled'],
    ]);
  });

  it('ends a session after its idle time, and after its absolute time however busy', async () => {
    const from = address();
    await addAccount(ctx, { email: email('di'), role: 'privacy', password: PASSWORD });
    const idle = await login(ctx, { email: email('di'), password: PASSWORD, address: from });
    tick(SESSION_IDLE_MS - 1000);
    expect(await authenticateSession(ctx, idle.session_token)).not.toBeNull();
    tick(SESSION_IDLE_MS - 1000);
    expect(await authenticateSession(ctx, idle.session_token), 'each request refreshes the idle clock').not.toBeNull();
    tick(SESSION_IDLE_MS);
    expect(await authenticateSession(ctx, idle.session_token)).toBeNull();

    const busy = await login(ctx, { email: email('di'), password: PASSWORD, address: from });
    let spent = 0;
    for (; spent + SESSION_IDLE_MS / 2 < SESSION_ABSOLUTE_MS; spent += SESSION_IDLE_MS / 2) {
      tick(SESSION_IDLE_MS / 2);
      expect(await authenticateSession(ctx, busy.session_token)).not.toBeNull();
    }
    tick(SESSION_ABSOLUTE_MS - spent);
    expect(await authenticateSession(ctx, busy.session_token)).toBeNull();
  });

  it('gives a new token at each login, and logging out everywhere ends them all', async () => {
    const from = address();
    const { account } = await addAccount(ctx, { email: email('ed'), role: 'responder', password: PASSWORD });
    const first = await login(ctx, { email: email('ed'), password: PASSWORD, address: from });
    const second = await login(ctx, { email: email('ed'), password: PASSWORD, address: from });
    expect(second.session_token).not.toBe(first.session_token);
    expect(second.principal.session_id).not.toBe(first.principal.session_id);
    await logoutEverywhere(ctx, account.id);
    expect(await authenticateSession(ctx, first.session_token)).toBeNull();
    expect(await authenticateSession(ctx, second.session_token)).toBeNull();
  });

  it('ends the sessions of an account whose role changes or that is disabled', async () => {
    const from = address();
    await addAccount(ctx, { email: email('fay'), role: 'viewer', password: PASSWORD });
    const before = await login(ctx, { email: email('fay'), password: PASSWORD, address: from });
    await changeRole(ctx, email('fay'), 'privacy');
    expect(await authenticateSession(ctx, before.session_token)).toBeNull();
    const after = await login(ctx, { email: email('fay'), password: PASSWORD, address: from });
    expect(after.principal.role).toBe('privacy');
    await disableAccount(ctx, email('fay'));
    expect(await authenticateSession(ctx, after.session_token)).toBeNull();
    const log = (await securityLog(ctx)).filter((row) => row.email === email('fay')).map((row) => [row.event, row.actor]);
    expect(log).toEqual([
      ['account_created', 'root'],
      ['password_set', 'root'],
      ['login_ok', email('fay')],
      ['role_changed', 'root'],
      ['login_ok', email('fay')],
      ['account_disabled', 'root'],
    ]);
    expect((await securityLog(ctx)).find((row) => row.event === 'role_changed' && row.email === email('fay'))?.details).toEqual({ from: 'viewer', to: 'privacy' });
  });

  it('sets the password through a one-time link that expires after 24 hours', async () => {
    const from = address();
    const added = await addAccount(ctx, { email: email('gil'), role: 'admin' });
    expect(added.account.has_password).toBe(false);
    const token = added.set_password_token!;
    expect(await failure(login(ctx, { email: email('gil'), password: PASSWORD, address: from }))).toMatch(/^LOGIN_FAILED \(unauthenticated\b/);
    expect(await failure(setPasswordWithLink(ctx, token, 'password1234', from))).toMatch(/^WEAK_PASSWORD \(invalid\b/);
    await setPasswordWithLink(ctx, token, PASSWORD, from);
    expect(await failure(setPasswordWithLink(ctx, token, `${PASSWORD} again`, from))).toMatch(/^LINK_INVALID \(not_found\b/);
    await login(ctx, { email: email('gil'), password: PASSWORD, address: from });

    const reset = await resetAccount(ctx, email('gil'));
    expect(await failure(login(ctx, { email: email('gil'), password: PASSWORD, address: from })), 'a reset voids the old password').toMatch(/^LOGIN_FAILED \(unauthenticated\b/);
    tick(24 * 3600_000);
    expect(await failure(setPasswordWithLink(ctx, reset.set_password_token, PASSWORD, from))).toMatch(/^LINK_INVALID \(not_found\b/);
  });

  it('backs off, then locks an account out after ten failures, and logs the lockout', async () => {
    const from = address();
    await addAccount(ctx, { email: email('hal'), role: 'viewer', password: PASSWORD });
    const attempt = () => failure(login(ctx, { email: email('hal'), password: 'wrong password here', address: from }));
    for (let i = 0; i < 3; i++) expect(await attempt()).toMatch(/^LOGIN_FAILED \(unauthenticated\b/);
    expect(await attempt()).toMatch(/^LOGIN_FAILED \(unauthenticated\b/);
    expect(await attempt()).toBe('THROTTLED (throttled, retry_after 1): too many failed sign-ins; wait 1 s before trying again');
    for (let failures = 4; failures < 10; failures++) {
      tick(5 * 60_000);
      expect(await attempt()).toMatch(/^LOGIN_FAILED \(unauthenticated\b/);
    }
    expect(await attempt()).toBe('LOCKED_OUT (throttled, retry_after 900): too many failed sign-ins; try again in 15 minutes');
    expect(await failure(login(ctx, { email: email('hal'), password: PASSWORD, address: from })), 'the right password waits too').toMatch(/^LOCKED_OUT \(throttled\b/);
    const events = (await securityLog(ctx)).filter((row) => row.address === from).map((row) => row.event);
    expect(events.filter((event) => event === 'login_failed')).toHaveLength(10);
    expect(events).toContain('lockout');
    tick(15 * 60_000);
    expect((await login(ctx, { email: email('hal'), password: PASSWORD, address: from })).principal.email).toBe(email('hal'));
  });

  it('keeps no set-password link used or expired, nor a throttle row whose failures stopped counting', async () => {
    const first = await addAccount(ctx, { email: email('ines'), role: 'viewer' });
    await setPasswordWithLink(ctx, first.set_password_token!, PASSWORD, address());
    const stale = address();
    expect(await failure(login(ctx, { email: email('nobody'), password: 'wrong password here', address: stale }))).toMatch(/^LOGIN_FAILED\b/);
    const links = () => ctx.db.selectFrom('set_password_links').select('account_id').execute();
    expect((await links()).map((link) => link.account_id)).toContain(first.account.id);

    tick(61 * 60_000);
    const second = await addAccount(ctx, { email: email('jon'), role: 'viewer' });
    expect((await links()).map((link) => link.account_id), 'only the live link is left').toEqual([second.account.id]);
    const recent = address();
    expect(await failure(login(ctx, { email: email('nobody'), password: 'wrong password here', address: recent }))).toMatch(/^LOGIN_FAILED\b/);
    const keys = (await ctx.db.selectFrom('login_throttles').select('key').execute()).map((row) => row.key);
    expect(keys, 'the row of an hour-old failure is gone').not.toContain(addressThrottleKey(stale));
    expect(keys).toContain(addressThrottleKey(recent));
  });

  it('signs in with TOTP: a code is good once, a recovery code too, and the session rotates on enrolment', async () => {
    const from = address();
    const { account } = await addAccount(ctx, { email: email('ivy'), role: 'admin', password: PASSWORD });
    const first = await login(ctx, { email: email('ivy'), password: PASSWORD, address: from });
    const enrolment = await beginTotpEnrolment(ctx, account.id);
    expect(enrolment.otpauth_uri).toMatch(/^otpauth:\/\/totp\/Tocsin:.*secret=/);
    expect(enrolment.qr_svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const app = new TOTP({ issuer: 'Tocsin', label: email('ivy'), secret: Secret.fromBase32(enrolment.secret) });
    const code = () => app.generate({ timestamp: clock });
    expect(await failure(confirmTotpEnrolment(ctx, account.id, '000000', first.principal.session_id))).toMatch(/^ENROLMENT_CODE_WRONG \(invalid\b/);
    const confirmed = await confirmTotpEnrolment(ctx, account.id, code(), first.principal.session_id);
    expect(confirmed.recovery_codes).toHaveLength(10);
    expect(await authenticateSession(ctx, first.session_token), 'the old token stops working').toBeNull();
    expect((await authenticateSession(ctx, confirmed.session_token!))?.email).toBe(email('ivy'));

    expect(await failure(login(ctx, { email: email('ivy'), password: PASSWORD, address: from }))).toMatch(/^OTP_REQUIRED \(unauthenticated\b/);
    expect(await failure(login(ctx, { email: email('ivy'), password: PASSWORD, otp: code(), address: from })), 'the code confirming enrolment is used').toMatch(/^OTP_INVALID \(unauthenticated\b/);
    tick(30_000);
    const withCode = code();
    await login(ctx, { email: email('ivy'), password: PASSWORD, otp: withCode, address: from });
    expect(await failure(login(ctx, { email: email('ivy'), password: PASSWORD, otp: withCode, address: from })), 'replayed in its window').toMatch(/^OTP_INVALID \(unauthenticated\b/);

    const recovery = confirmed.recovery_codes[3];
    await login(ctx, { email: email('ivy'), password: PASSWORD, otp: recovery.toUpperCase(), address: from });
    expect(await failure(login(ctx, { email: email('ivy'), password: PASSWORD, otp: recovery, address: from }))).toMatch(/^OTP_INVALID \(unauthenticated\b/);
    expect((await listAccounts(ctx)).find((one) => one.id === account.id)?.two_factor).toEqual(['totp']);
    expect((await securityLog(ctx)).filter((row) => row.account_id === account.id).map((row) => row.event)).toEqual(
      expect.arrayContaining(['totp_enrolled', 'recovery_code_used']),
    );
  });

  it('renews recovery codes, voiding the old ones, and removing TOTP lets the password alone in again', async () => {
    const from = address();
    const { account } = await addAccount(ctx, { email: email('quin'), role: 'responder', password: PASSWORD });
    expect(await failure(renewRecoveryCodes(ctx, account.id))).toMatch(/^NO_TOTP \(conflict\b/);
    const enrolment = await beginTotpEnrolment(ctx, account.id);
    const app = new TOTP({ issuer: 'Tocsin', label: email('quin'), secret: Secret.fromBase32(enrolment.secret) });
    const { recovery_codes: old } = await confirmTotpEnrolment(ctx, account.id, app.generate({ timestamp: clock }));
    const renewed = await renewRecoveryCodes(ctx, account.id);
    expect(renewed.filter((code) => old.includes(code))).toEqual([]);
    expect(await failure(login(ctx, { email: email('quin'), password: PASSWORD, otp: old[0], address: from }))).toMatch(/^OTP_INVALID \(unauthenticated\b/);
    await login(ctx, { email: email('quin'), password: PASSWORD, otp: renewed[0], address: from });
    await removeTotp(ctx, account.id);
    await login(ctx, { email: email('quin'), password: PASSWORD, address: from });
    expect((await securityLog(ctx)).filter((row) => row.account_id === account.id).map((row) => row.event)).toEqual(
      expect.arrayContaining(['totp_enrolled', 'recovery_codes_renewed', 'recovery_code_used', 'totp_removed']),
    );
  });

  it('changes the password given the current one, ending the other sessions', async () => {
    const from = address();
    const { account } = await addAccount(ctx, { email: email('rae'), role: 'viewer', password: PASSWORD });
    const here = await login(ctx, { email: email('rae'), password: PASSWORD, address: from });
    const elsewhere = await login(ctx, { email: email('rae'), password: PASSWORD, address: from });
    const next = 'marble comet sings under 7 bridges';
    expect(await failure(changePassword(ctx, account.id, { current: 'not the password', password: next, address: from }))).toBe('CURRENT_PASSWORD_WRONG (invalid): the current password is wrong');
    expect(await failure(changePassword(ctx, account.id, { current: PASSWORD, password: 'short', address: from }))).toMatch(/^WEAK_PASSWORD \(invalid\b/);
    await changePassword(ctx, account.id, { current: PASSWORD, password: next, address: from, keepSessionId: here.principal.session_id });
    expect(await authenticateSession(ctx, here.session_token)).not.toBeNull();
    expect(await authenticateSession(ctx, elsewhere.session_token)).toBeNull();
    expect(await failure(login(ctx, { email: email('rae'), password: PASSWORD, address: from }))).toMatch(/^LOGIN_FAILED \(unauthenticated\b/);
    await login(ctx, { email: email('rae'), password: next, address: from });
  });

  it('throttles guesses at the current password as it throttles sign-ins: a stolen session cannot guess it freely', async () => {
    const from = address();
    const { account } = await addAccount(ctx, { email: email('rory'), role: 'viewer', password: PASSWORD });
    const next = 'marble comet sings under 8 bridges';
    for (let guess = 1; guess <= 4; guess++) {
      expect(await failure(changePassword(ctx, account.id, { current: `guess ${guess}`, password: next, address: from }))).toMatch(/^CURRENT_PASSWORD_WRONG \(invalid\b/);
    }
    // The account's free failures are spent: the right password waits too, here and at sign-in.
    expect(await failure(changePassword(ctx, account.id, { current: PASSWORD, password: next, address: from }))).toMatch(/^THROTTLED \(throttled\b/);
    expect(await failure(login(ctx, { email: email('rory'), password: PASSWORD, address: address() }))).toMatch(/^THROTTLED \(throttled\b/);
    const failures = (await securityLog(ctx)).filter((row) => row.account_id === account.id && row.event === 'login_failed');
    expect(failures).toHaveLength(4);
    tick(15 * 60_000);
    await changePassword(ctx, account.id, { current: PASSWORD, password: next, address: from });
  });

  it('counts failed sign-ins made at the same time, every one', async () => {
    const from = address();
    await addAccount(ctx, { email: email('sol'), role: 'viewer', password: PASSWORD });
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => failure(login(ctx, { email: email('sol'), password: 'a wrong guess at once', address: from }))));
    const failed = outcomes.filter((outcome) => outcome.startsWith('LOGIN_FAILED (unauthenticated)')).length;
    expect(failed + outcomes.filter((outcome) => outcome.startsWith('THROTTLED (throttled')).length).toBe(8);
    // The tenth failure recorded locks the account: none made at once may be lost.
    for (let count = failed; count < 10; count++) {
      tick(5 * 60_000);
      expect(await failure(login(ctx, { email: email('sol'), password: 'a wrong guess later', address: from }))).toMatch(/^LOGIN_FAILED \(unauthenticated\b/);
    }
    expect(await failure(login(ctx, { email: email('sol'), password: PASSWORD, address: from }))).toMatch(/^LOCKED_OUT \(throttled\b/);
    expect((await securityLog(ctx)).filter((row) => row.address === from && row.event === 'lockout')).toHaveLength(1);
  });

  it('makes accounts without a second factor enrol one when admins require it', async () => {
    const from = address();
    await addAccount(ctx, { email: email('jo'), role: 'responder', password: PASSWORD });
    const { must_enrol } = await setTwoFactorRequired(ctx, true);
    expect(must_enrol).toBeGreaterThan(0);
    const before = await login(ctx, { email: email('jo'), password: PASSWORD, address: from });
    expect(before.principal.must_enrol_2fa).toBe(true);
    expect((await authenticateSession(ctx, before.session_token))?.must_enrol_2fa).toBe(true);
    const { account } = await addAccount(ctx, { email: email('kai'), role: 'viewer', password: PASSWORD });
    expect(account.must_enrol_2fa).toBe(true);
    await setTwoFactorRequired(ctx, false);
    expect((await login(ctx, { email: email('jo'), password: PASSWORD, address: from })).principal.must_enrol_2fa).toBeUndefined();
  });

  it('authenticates API tokens until they are revoked', async () => {
    const { token, api_token } = await createApiToken(ctx, { name: 'nightly import', role: 'responder' });
    expect(token).toMatch(/^tocsin_[A-Za-z0-9_-]{43}$/);
    expect(api_token).toMatchObject({ name: 'nightly import', role: 'responder', created_by: 'root', last_used_at: null });
    expect(await authenticateBearer(ctx, token)).toEqual({ account_id: `token:${api_token.id}`, email: 'token:nightly import', role: 'responder', via: 'token', token_id: api_token.id });
    expect((await listApiTokens(ctx)).find((one) => one.id === api_token.id)?.last_used_at).toBe(new Date(clock).toISOString());
    expect(await authenticateBearer(ctx, `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    expect(await authenticateBearer(ctx, token.slice('tocsin_'.length))).toBeNull();
    // Trusted since its last lookup, and still refused at once after a revocation through this process.
    await revokeApiToken(ctx, 'nightly import');
    expect(await authenticateBearer(ctx, token)).toBeNull();
    expect(await failure(revokeApiToken(ctx, api_token.id))).toMatch(/^NO_SUCH_TOKEN \(not_found\b/);
    // A lookup under way when the token is revoked may let its own request through, but is not trusted afterwards.
    const raced = await createApiToken(ctx, { name: 'raced', role: 'viewer' });
    const revoking = revokeApiToken(ctx, 'raced');
    await Promise.all([revoking, ...Array.from({ length: 5 }, () => authenticateBearer(ctx, raced.token))]);
    expect(await authenticateBearer(ctx, raced.token)).toBeNull();
    for (const name of ['', ' ', 'bot\u001b]52;c;ZXZpbA==\u0007', 'bot\u202eexe', 'x'.repeat(101)]) {
      expect(await failure(createApiToken(ctx, { name, role: 'admin' }))).toMatch(/^BAD_TOKEN_NAME \(invalid\b/);
    }
    expect((await securityLog(ctx)).filter((row) => row.details.token_id === api_token.id).map((row) => row.event)).toEqual(['token_created', 'token_revoked']);
  });

  it('refuses a duplicate account, a bad email and a weak password, keeping nothing', async () => {
    await addAccount(ctx, { email: email('lu'), role: 'viewer', password: PASSWORD });
    expect(await failure(addAccount(ctx, { email: email('LU'), role: 'admin' }))).toMatch(/^ACCOUNT_EXISTS \(conflict\b/);
    expect(await failure(addAccount(ctx, { email: 'lu\n@shop.example', role: 'admin' }))).toMatch(/^BAD_EMAIL \(invalid\b/);
    expect(await failure(addAccount(ctx, { email: email('mo'), role: 'admin', password: 'password1234' }))).toMatch(/^WEAK_PASSWORD \(invalid\b/);
    expect((await listAccounts(ctx)).map((one) => one.email)).not.toContain(email('mo'));
  });

  it('registers a passkey and signs in with it instead of a password; each challenge works once, and only as this server made it', async () => {
    const from = address();
    const rp = { id: 'tocsin.shop.example', name: 'Tocsin', origin: 'https://tocsin.shop.example' };
    const { account } = await addAccount(ctx, { email: email('oz'), role: 'privacy', password: PASSWORD });
    const first = await login(ctx, { email: email('oz'), password: PASSWORD, address: from });
    const device = new SoftwareAuthenticator(rp.origin, rp.id);
    const options = await passkeyRegistrationOptions(ctx, account.id, rp);
    expect(options).toMatchObject({ rp: { id: rp.id }, user: { name: email('oz') }, authenticatorSelection: { residentKey: 'required', userVerification: 'required' } });
    const registration = device.register(options);
    const registered = await registerPasskey(ctx, account.id, registration, rp, first.principal.session_id);
    expect(registered.passkey.id).toBe(device.id);
    expect(await authenticateSession(ctx, first.session_token), 'the session got a new token').toBeNull();
    expect(await failure(registerPasskey(ctx, account.id, registration, rp))).toMatch(/^PASSKEY_CHALLENGE \(conflict\b/);
    expect((await listAccounts(ctx)).find((one) => one.id === account.id)?.two_factor).toEqual(['passkey']);

    const signIn = await passkeySignInOptions(ctx, rp);
    const answer = device.authenticate(signIn);
    const { session_token, principal } = await loginWithPasskey(ctx, { response: answer, address: from }, rp);
    expect(principal).toMatchObject({ account_id: account.id, email: email('oz'), role: 'privacy', via: 'session' });
    expect((await authenticateSession(ctx, session_token))?.account_id).toBe(account.id);
    expect(await failure(loginWithPasskey(ctx, { response: answer, address: from }, rp)), 'replayed').toMatch(/^PASSKEY_CHALLENGE \(conflict\b/);
    expect(await failure(login(ctx, { email: email('oz'), password: PASSWORD, address: from })), 'the password alone no longer opens it').toMatch(/^PASSKEY_REQUIRED \(unauthenticated\b/);

    expect(await failure(loginWithPasskey(ctx, { response: device.authenticate(await passkeySignInOptions(ctx, rp), 0x01), address: from }, rp)), 'without user verification').toMatch(/^LOGIN_FAILED \(unauthenticated\b/);
    const stranger = new SoftwareAuthenticator(rp.origin, rp.id);
    expect(await failure(loginWithPasskey(ctx, { response: stranger.authenticate(await passkeySignInOptions(ctx, rp)), address: from }, rp))).toMatch(/^LOGIN_FAILED \(unauthenticated\b/);
    // A sign-in ceremony, which anyone may begin, stores nothing; a challenge this server did not make is refused.
    const stored = async () => Number((await ctx.db.selectFrom('webauthn_challenges').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await stored();
    const begun = await Promise.all(Array.from({ length: 20 }, () => passkeySignInOptions(ctx, rp)));
    expect(await stored(), 'sign-in options store nothing').toBe(before);
    expect(new Set(begun.map((one) => one.challenge)).size).toBe(20);
    const forged = Buffer.from(begun[0].challenge, 'base64url');
    forged[forged.length - 1] ^= 1;
    expect(await failure(loginWithPasskey(ctx, { response: device.authenticate({ ...begun[0], challenge: forged.toString('base64url') }), address: from }, rp)), 'forged').toMatch(/^PASSKEY_CHALLENGE \(conflict\b/);
    const extended = Buffer.from(begun[1].challenge, 'base64url');
    extended.writeBigUInt64BE(extended.readBigUInt64BE(16) + 3_600_000n, 16);
    expect(await failure(loginWithPasskey(ctx, { response: device.authenticate({ ...begun[1], challenge: extended.toString('base64url') }), address: from }, rp)), 'its expiry moved').toMatch(/^PASSKEY_CHALLENGE \(conflict\b/);
    tick(5 * 60_000);
    const late = device.authenticate(await passkeySignInOptions(ctx, rp));
    tick(5 * 60_000);
    expect(await failure(loginWithPasskey(ctx, { response: late, address: from }, rp)), 'after five minutes').toMatch(/^PASSKEY_CHALLENGE \(conflict\b/);

    await setTwoFactorRequired(ctx, true);
    const twice = await passkeyRegistrationOptions(ctx, account.id, rp);
    expect(twice.excludeCredentials).toEqual([{ id: device.id, type: 'public-key', transports: ['internal'] }]);
    expect(await failure(registerPasskey(ctx, account.id, device.register(twice), rp))).toMatch(/^PASSKEY_EXISTS \(conflict\b/);
    const lost = await removeSecondFactors(ctx, email('oz'));
    expect(lost).toMatchObject({ two_factor: [], must_enrol_2fa: true });
    expect((await login(ctx, { email: email('oz'), password: PASSWORD, address: from })).principal.must_enrol_2fa).toBe(true);
    await setTwoFactorRequired(ctx, false);
    await registerPasskey(ctx, account.id, device.register(await passkeyRegistrationOptions(ctx, account.id, rp)), rp);
    await removePasskey(ctx, account.id, device.id);
    expect(await failure(loginWithPasskey(ctx, { response: device.authenticate(await passkeySignInOptions(ctx, rp)), address: from }, rp))).toMatch(/^LOGIN_FAILED \(unauthenticated\b/);
    expect((await securityLog(ctx)).filter((row) => row.account_id === account.id).map((row) => [row.event, row.details.method ?? row.details.reason ?? null])).toEqual(
      expect.arrayContaining([['passkey_added', null], ['login_ok', 'passkey'], ['login_failed', 'passkey_not_verified'], ['passkey_removed', null]]),
    );
  });

  it('refuses a passkey answer made for another origin', async () => {
    const rp = { id: 'tocsin.shop.example', name: 'Tocsin', origin: 'https://tocsin.shop.example' };
    const { account } = await addAccount(ctx, { email: email('pia'), role: 'viewer', password: PASSWORD });
    const phished = new SoftwareAuthenticator('https://tocsin-shop.example', rp.id);
    expect(await failure(registerPasskey(ctx, account.id, phished.register(await passkeyRegistrationOptions(ctx, account.id, rp)), rp))).toMatch(/^PASSKEY_INVALID \(invalid\b/);
    expect((await listAccounts(ctx)).find((one) => one.id === account.id)?.two_factor).toEqual([]);
    for (const hostile of [{}, { response: null }, { response: { clientDataJSON: 42 } }, { response: { clientDataJSON: '%%%' } }, { response: { clientDataJSON: Buffer.from('[]').toString('base64url') } }]) {
      expect(await failure(registerPasskey(ctx, account.id, hostile as never, rp))).toMatch(/^PASSKEY_INVALID \(invalid\b/);
      expect(await failure(loginWithPasskey(ctx, { response: hostile as never, address: '192.0.2.250' }, rp))).toMatch(/^PASSKEY_INVALID \(invalid\b/);
    }
  });

  it('stores no password, token, link, recovery code or TOTP secret in clear', async () => {
    const from = address();
    const secretPassword = 'orchid tundra mosaic 8817 whistle';
    const added = await addAccount(ctx, { email: email('nia'), role: 'admin' });
    await setPasswordWithLink(ctx, added.set_password_token!, secretPassword, from);
    const session = await login(ctx, { email: email('nia'), password: secretPassword, address: from });
    const enrolment = await beginTotpEnrolment(ctx, added.account.id);
    const app = new TOTP({ issuer: 'Tocsin', label: email('nia'), secret: Secret.fromBase32(enrolment.secret) });
    const { recovery_codes } = await confirmTotpEnrolment(ctx, added.account.id, app.generate({ timestamp: clock }), session.principal.session_id);
    const { token } = await createApiToken(ctx, { name: 'scan', role: 'viewer' });
    const reset = await resetAccount(ctx, email('nia'));

    const secrets = [secretPassword, added.set_password_token!, session.session_token, enrolment.secret, token, reset.set_password_token, ...recovery_codes, ...recovery_codes.map((code) => code.replace('-', ''))];
    const tables = ['accounts', 'set_password_links', 'sessions', 'api_tokens', 'recovery_codes', 'passkeys', 'webauthn_challenges', 'login_throttles', 'account_settings', 'security_log'] as const;
    const dump = JSON.stringify(await Promise.all(tables.map((table) => ctx.db.selectFrom(table).selectAll().execute())));
    expect(dump).toContain(email('nia'));
    for (const secret of secrets) expect(dump, `a secret of ${secret.length} characters`).not.toContain(secret);
    expect(dump).not.toContain(Buffer.from(secretPassword).toString('base64'));
  });
});
