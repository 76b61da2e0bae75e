import { expect, it } from 'vitest';
import type { TocsinError } from '../lib/errors.ts';
import { checkKind, checkParams } from './params.ts';

const RULES = `rules:
  - name: order
    request: GET /orders/:id
    exposes: [name, email]
indicators:
  ips: [203.0.113.7]
`;

function refusal(run: () => unknown): TocsinError {
  try {
    run();
  } catch (error) {
    return error as TocsinError;
  }
  throw new Error('expected a refusal');
}

it('takes parameters of the right shape, as they are', () => {
  expect(checkParams('scope', { rules: RULES, logs: ['/var/log/a.log'], log_fields: 'time=ts,ip=ip,target=uri,status=status' }, '/data')).toEqual({
    rules: RULES,
    logs: ['/var/log/a.log'],
    log_fields: 'time=ts,ip=ip,target=uri,status=status',
  });
  expect(checkParams('campaign', { from: 'n@shop.example', transport: 'smtp://mailer@smtp.example:587', rate: 20 }, '/data')).toMatchObject({ rate: 20 });
  // What the workers' configuration gives (the sender, the transport, the shop's address) may be left out.
  expect(checkParams('campaign', {}, '/data')).toEqual({});
  expect(checkParams('notices_build', {}, '/data')).toEqual({});
});

it('refuses unknown fields, wrong types and hostile labels as usage errors naming the field', () => {
  const unknown = refusal(() => checkParams('notices_build', { shop_address: 'shop.example', colour: 'red' }, '/data'));
  expect(unknown).toMatchObject({ code: 'JOB_PARAMS_INVALID', kind: 'invalid' });
  expect(unknown.message).toContain('colour');
  expect(refusal(() => checkParams('campaign', { from: 'n@shop.example', rate: '100' }, '/data')).message).toContain('params.rate');
  expect(refusal(() => checkParams('import', { file: 'a.csv\r\nX-Injected: 1' }, '/data')).message).toContain('params.file');
  expect(refusal(() => checkParams('import', {}, '/data')).message).toContain('params.file');
});

it('checks what it can without the worker: the scope file, log fields, proxies, encoding, the transport', () => {
  expect(refusal(() => checkParams('scope', { rules: 'rules: 1', logs: ['a.log'] }, '/data')).code).toBe('SCOPE_FILE_INVALID');
  expect(refusal(() => checkParams('detect', { rules: RULES, logs: ['a.log'], log_fields: 'time=ts' }, '/data')).code).toBe('LOG_FIELDS_INVALID');
  expect(refusal(() => checkParams('detect', { rules: RULES, logs: ['a.log'], log_format: 'combined', log_fields: 'time=ts' }, '/data')).code).toBe('LOG_FIELDS_UNUSED');
  expect(refusal(() => checkParams('scope', { rules: RULES, logs: ['a.log'], client_ip_from: 'x-forwarded-for', trusted_proxies: ['not-a-cidr'] }, '/data')).code).toBe('TRUSTED_PROXIES_INVALID');
  expect(refusal(() => checkParams('import', { file: 'a.csv', encoding: 'ebcdic' }, '/data')).code).toBe('IMPORT_ENCODING');
  expect(refusal(() => checkParams('campaign', { from: 'n@shop.example', transport: 'smtps://u:pw@smtp.example' }, '/data')).code).toBe('JOB_TRANSPORT_PASSWORD');
  expect(refusal(() => checkParams('campaign', { from: 'n@shop.example', transport: 'http://smtp.example' }, '/data')).code).toBe('BAD_TRANSPORT');
  expect(refusal(() => checkParams('campaign', { transport: 'file:/etc/cron.d' }, '/data'))).toMatchObject({ code: 'JOB_TRANSPORT_FILE', kind: 'forbidden' });
});

it('knows the kinds of job', () => {
  expect(checkKind('notices_build')).toBe('notices_build');
  expect(refusal(() => checkKind('rm -rf')).code).toBe('JOB_KIND_INVALID');
});
