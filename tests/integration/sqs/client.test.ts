import { afterEach, describe, expect, it } from 'vitest';
import { closeSqsClients, getSqsClient } from '@/server/brokers/sqs/client';

afterEach(() => {
  closeSqsClients();
  delete process.env.TW_TEST_SQS_KEY;
  delete process.env.TW_TEST_SQS_SECRET;
  process.env.AWS_ACCESS_KEY_ID = savedChain.id;
  process.env.AWS_SECRET_ACCESS_KEY = savedChain.secret;
  if (savedChain.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
  if (savedChain.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
});

const savedChain = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

describe('getSqsClient', () => {
  it('keeps one client per region and endpoint', () => {
    const a = getSqsClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:4566' });
    expect(getSqsClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:4566' })).toBe(a);
    expect(getSqsClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:4566' })).not.toBe(a);
    expect(getSqsClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:4567' })).not.toBe(a);
  });

  it('uses a static pair only for an account marked as an emulator, and the named variables when given', async () => {
    const emulator = getSqsClient({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:4566',
      emulatorCredentials: true,
    });
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

  it('signs a VPC endpoint without key variables through the AWS default credential chain', async () => {
    // The chain's first link is the process environment; an instance or task role comes later in it.
    process.env.AWS_ACCESS_KEY_ID = 'AKIAFROMCHAIN';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret-from-chain';
    const vpc = getSqsClient({ region: 'eu-west-1', endpoint: 'https://sqs.eu-west-1.vpce.example' });
    expect(await vpc.config.credentials()).toMatchObject({
      accessKeyId: 'AKIAFROMCHAIN',
      secretAccessKey: 'secret-from-chain',
    });
    const aws = getSqsClient({ region: 'eu-west-2' });
    expect(await aws.config.credentials()).toMatchObject({ accessKeyId: 'AKIAFROMCHAIN' });
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
