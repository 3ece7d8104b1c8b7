import { generateKeyPair, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
// @ts-expect-error oidc-provider ships no type declarations; the part used here is typed by OidcModule below.
import * as oidcModule from 'oidc-provider';

export type OidcTestClient = {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** How the client authenticates at the token endpoint; next-auth v4 defaults to client_secret_basic. */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
};

export type OidcTestAccount = {
  sub: string;
  email: string;
  name: string;
  groups: string[];
  /** The `email_verified` claim; true when absent. */
  emailVerified?: boolean;
};

export type OidcProviderOptions = {
  port?: number;
  clients: OidcTestClient[];
  accounts: OidcTestAccount[];
  /** Refuse authorization requests without S256 PKCE (default true); next-auth sends it with checks: ['pkce']. */
  requirePkce?: boolean;
};

export type RunningOidcProvider = { issuer: string; port: number; stop(): Promise<void> };

/** Selectors of the provider's sign-in form (any password is accepted; the login is the sub or the email). */
export const OIDC_LOGIN_SELECTORS = {
  login: 'input[name=login]',
  password: 'input[name=password]',
  submit: 'button[type=submit]',
} as const;

export const OIDC_SCOPES = 'openid email profile groups';

type Claims = Record<string, unknown>;
type Account = { accountId: string; claims(): Promise<Claims> };

type Grant = {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  save(): Promise<string>;
};

type AuthorizationContext = {
  oidc: {
    account?: { accountId: string };
    client?: { clientId: string };
    session: { accountId?: string };
    requestParamOIDCScopes: Set<string>;
    requestParamClaims: Set<string>;
    provider: { Grant: new (init: { accountId: string; clientId: string }) => Grant };
  };
};

type CheckResult = boolean;
type Check = new (
  reason: string,
  description: string,
  error: string,
  fn: (ctx: AuthorizationContext) => CheckResult,
) => unknown;
type Prompt = { checks: unknown[] };
type Policy = { get(name: string): Prompt | undefined };

type InteractionResult = { login?: { accountId: string } } & Record<string, unknown>;
type OidcProvider = {
  callback(): http.RequestListener;
  interactionResult(
    req: unknown,
    res: unknown,
    result: InteractionResult,
    options?: unknown,
  ): Promise<string>;
};

type OidcModule = {
  Provider: new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;
  interactionPolicy: {
    base(): Policy;
    Check: Check & { REQUEST_PROMPT: boolean; NO_NEED_TO_PROMPT: boolean };
  };
};

const oidc = oidcModule as OidcModule;

export async function startOidcProvider(opts: OidcProviderOptions): Promise<RunningOidcProvider> {
  let handler: http.RequestListener = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const config = await configuration(opts);
  const server = http.createServer((req, res) => handler(req, res));
  // The issuer names the port, so the socket is bound before the provider exists.
  const port = await listen(server, opts.port ?? 0);
  const issuer = `http://127.0.0.1:${port}`;
  try {
    const provider = new oidc.Provider(issuer, config);
    storeLoginsAsSub(provider, opts.accounts);
    handler = provider.callback();
  } catch (err) {
    await close(server);
    throw err;
  }
  return { issuer, port, stop: () => close(server) };
}

async function configuration(opts: OidcProviderOptions): Promise<Record<string, unknown>> {
  return {
    clients: opts.clients.map(toClientMetadata),
    findAccount: accountFinder(opts.accounts),
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      groups: ['groups'],
    },
    // next-auth v4 builds the profile from the ID token, so every granted claim must be in it.
    conformIdTokenClaims: false,
    loadExistingGrant: grantRequested,
    interactions: { policy: loginPolicy() },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => opts.requirePkce ?? true },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    jwks: { keys: [await signingKey()] },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      RefreshToken: 3600,
    },
  };
}

function toClientMetadata(client: OidcTestClient): Record<string, unknown> {
  return {
    client_id: client.clientId,
    client_secret: client.clientSecret,
    redirect_uris: client.redirectUris,
    application_type: 'web',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: client.tokenEndpointAuthMethod ?? 'client_secret_basic',
  };
}

function lookup(accounts: OidcTestAccount[], login: string): OidcTestAccount | undefined {
  const wanted = login.toLowerCase();
  return accounts.find((a) => a.sub === login || a.email.toLowerCase() === wanted);
}

/**
 * The sign-in form records the login as typed, but codes and grants must name the account by its sub,
 * so a typed email is replaced by the sub before the provider stores the result.
 */
function storeLoginsAsSub(provider: OidcProvider, accounts: OidcTestAccount[]): void {
  const record = provider.interactionResult.bind(provider);
  provider.interactionResult = (req, res, result, options) => {
    const sub = result.login && lookup(accounts, result.login.accountId)?.sub;
    const canonical =
      result.login && sub ? { ...result, login: { ...result.login, accountId: sub } } : result;
    return record(req, res, canonical, options);
  };
}

function accountFinder(accounts: OidcTestAccount[]) {
  return async (_ctx: unknown, id: string): Promise<Account | undefined> => {
    const found = lookup(accounts, id);
    if (!found) return undefined;
    return {
      accountId: found.sub,
      claims: async () => ({
        sub: found.sub,
        email: found.email,
        email_verified: found.emailVerified ?? true,
        name: found.name,
        groups: [...found.groups],
      }),
    };
  };
}

/** Consent is implied: every sign-in is granted exactly the scopes and claims it asks for. */
async function grantRequested(ctx: AuthorizationContext): Promise<Grant | undefined> {
  const { account, client, provider } = ctx.oidc;
  if (!account || !client) return undefined;
  const grant = new provider.Grant({ accountId: account.accountId, clientId: client.clientId });
  grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].join(' '));
  grant.addOIDCClaims([...ctx.oidc.requestParamClaims]);
  await grant.save();
  return grant;
}

/** An unknown login leaves no account behind the session: show the sign-in form again instead of failing. */
function loginPolicy(): Policy {
  const policy = oidc.interactionPolicy.base();
  const { Check } = oidc.interactionPolicy;
  const unknown = new Check('unknown_account', 'The login matches no account', 'login_required', (ctx) =>
    ctx.oidc.session.accountId !== undefined && ctx.oidc.account === undefined
      ? Check.REQUEST_PROMPT
      : Check.NO_NEED_TO_PROMPT,
  );
  policy.get('login')?.checks.push(unknown);
  return policy;
}

async function signingKey(): Promise<Record<string, unknown>> {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: 'test-rs256' };
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: http.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    // close() only drops idle sockets; a client mid-request would hold it until the request times out.
    server.closeAllConnections();
  });
}
