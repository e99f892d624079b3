// An OpenID-Certified provider (node-oidc-provider) on loopback, for the browser sign-in tests only.
// Started by tests/e2e/test_openid_connect_sign_in.py with:
//   PORT           the port to listen on (the issuer is http://127.0.0.1:PORT)
//   OIDC_CLIENTS   the clients, as a JSON list of node-oidc-provider client metadata
// Its own login form (devInteractions) takes any login and any password: the login is the account's `sub`,
// and the account's claims are made from it (e-mail <login>@exemple.fr, verified; name from the login). No
// consent screen. PKCE is required of every client. It prints "ready <issuer>" once it listens.
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.OIDC_CLIENTS);

function claimsOf(login) {
  const name = login.replace(/[-_.]+/g, ' ').replace(/\b\w/g, (letter) => letter.toUpperCase());
  return {
    sub: login,
    email: `${login}@exemple.fr`,
    email_verified: true,
    name,
    preferred_username: login,
  };
}

const provider = new Provider(issuer, {
  clients,
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username', 'nickname'],
  },
  findAccount: async (ctx, login) => ({ accountId: login, claims: async () => claimsOf(login) }),
  // The town's own service for its own sites: no consent screen, the scopes asked are granted.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      return ctx.oidc.provider.Grant.find(grantId);
    }
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  cookies: { keys: ['test-only-cookie-signing-key'] },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
});

createServer(provider.callback()).listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
