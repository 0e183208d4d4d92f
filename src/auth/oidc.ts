// The app's side of OIDC: authorization code flow with PKCE, state and nonce.
import * as client from 'openid-client';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
}

export interface LoginTransaction {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
  /** Set when this login is a step-up: the level asked for with `acr_values`. */
  acrValues?: string;
}

export interface Identity {
  subject: string;
  email: string | undefined;
  /** What the provider says of the address: false means it has not checked it, so it names nobody yet. */
  emailVerified: boolean | undefined;
  name: string | undefined;
  idToken: string | undefined;
  /** The authentication context and methods the provider vouched for in the ID token. */
  acr: string | undefined;
  amr: string[];
}

export interface LoginOptions {
  /** Ask for at least this level, and for a fresh login (`prompt=login`) so the provider cannot reuse a weaker one. */
  acrValues?: string;
}

export class OidcClient {
  #configuration: Promise<client.Configuration> | undefined;

  constructor(private readonly settings: OidcSettings) {}

  get issuerOrigin(): string {
    return new URL(this.settings.issuer).origin;
  }

  /** Discovered on first use and kept; a failed discovery is retried on the next login. */
  private configuration(): Promise<client.Configuration> {
    this.#configuration ??= client
      .discovery(new URL(this.settings.issuer), this.settings.clientId, this.settings.clientSecret, undefined, {
        execute: new URL(this.settings.issuer).protocol === 'http:' ? [client.allowInsecureRequests] : [],
        timeout: 10,
      })
      .catch((error: unknown) => {
        this.#configuration = undefined;
        throw error;
      });
    return this.#configuration;
  }

  async startLogin(
    returnTo: string,
    language: string,
    options: LoginOptions = {},
  ): Promise<{ url: URL; transaction: LoginTransaction }> {
    const configuration = await this.configuration();
    const transaction: LoginTransaction = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      returnTo,
    };
    const stepUp: Record<string, string> = {};
    if (options.acrValues) {
      transaction.acrValues = options.acrValues;
      Object.assign(stepUp, { acr_values: options.acrValues, prompt: 'login' });
    }
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.settings.redirectUri,
      scope: 'openid email profile',
      response_type: 'code',
      state: transaction.state,
      nonce: transaction.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(transaction.verifier),
      code_challenge_method: 'S256',
      ui_locales: language,
      ...stepUp,
    });
    return { url, transaction };
  }

  async finishLogin(callbackUrl: URL, transaction: LoginTransaction): Promise<Identity> {
    const configuration = await this.configuration();
    const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
      pkceCodeVerifier: transaction.verifier,
      expectedState: transaction.state,
      expectedNonce: transaction.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    let email = typeof claims.email === 'string' ? claims.email : undefined;
    let emailVerified = typeof claims.email_verified === 'boolean' ? claims.email_verified : undefined;
    let name = typeof claims.name === 'string' ? claims.name : undefined;
    if (email === undefined) {
      const userInfo = await client.fetchUserInfo(configuration, tokens.access_token, claims.sub);
      email = userInfo.email;
      emailVerified = userInfo.email_verified;
      name ??= userInfo.name;
    }
    const amr = Array.isArray(claims.amr) ? claims.amr.filter((m): m is string => typeof m === 'string') : [];
    return {
      subject: claims.sub,
      email,
      emailVerified,
      name,
      idToken: tokens.id_token,
      acr: typeof claims.acr === 'string' ? claims.acr : undefined,
      amr,
    };
  }

  async logoutUrl(idToken: string | undefined, language: string): Promise<URL | undefined> {
    const configuration = await this.configuration().catch(() => undefined);
    if (!configuration?.serverMetadata().end_session_endpoint) return undefined;
    const parameters: Record<string, string> = {
      post_logout_redirect_uri: this.settings.postLogoutRedirectUri,
      ui_locales: language,
    };
    if (idToken) parameters.id_token_hint = idToken;
    else parameters.client_id = this.settings.clientId;
    return client.buildEndSessionUrl(configuration, parameters);
  }
}
