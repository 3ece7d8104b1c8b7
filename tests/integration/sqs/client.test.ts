import { afterEach, describe, expect, it } from 'vitest';
import { closeSqsClients, getSqsClient } from '@/server/brokers/sqs/client';

afterEach(() => {
  closeSqsClients();
  delete process.env.TW_TEST_SQS_KEY;
  delete process.env.TW_TEST_SQS_SECRET;
});

describe('getSqsClient', () => {
  it('keeps one client per region and endpoint', () => {
    const a = getSqsClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:4566' });
    expect(getSqsClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:4566' })).toBe(a);
    expect(getSqsClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:4566' })).not.toBe(a);
    expect(getSqsClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:4567' })).not.toBe(a);
  });

  it('uses a static pair for an emulator endpoint and the named variables when given', async () => {
    const emulator = getSqsClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:4566' });
    expect(await emulator.config.credentials()).toMatchObject({
      accessKeyId: 'local',
      secretAccessKey: 'local',
    });

    process.env.TW_TEST_SQS_KEY = 'AKIAEXAMPLE';
    process.env.TW_TEST_SQS_SECRET = 'example-secret';
    const named = getSqsClient({
      region: 'eu-central-1',
      endpoint: 'http://127.0.0.1:4566',
      accessKeyIdEnv: 'TW_TEST_SQS_KEY',
      secretAccessKeyEnv: 'TW_TEST_SQS_SECRET',
    });
    expect(await named.config.credentials()).toMatchObject({
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: 'example-secret',
    });
  });

  it('names a missing credential variable without revealing any value', () => {
    process.env.TW_TEST_SQS_KEY = 'AKIAEXAMPLE';
    const attempt = () =>
      getSqsClient({
        region: 'ap-south-1',
        accessKeyIdEnv: 'TW_TEST_SQS_KEY',
        secretAccessKeyEnv: 'TW_TEST_SQS_SECRET',
      });
    expect(attempt).toThrow(expect.objectContaining({ code: 'internal' }));
    expect(attempt).toThrow('SQS credentials: environment variable TW_TEST_SQS_SECRET is not set');
    expect(attempt).not.toThrow(/AKIAEXAMPLE/);
  });
});
