package logins

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
)

// supported returns the pool's SupportedLoginProviders value for provider.
func supported(pool *storage.Pool, provider string) (string, error) {
	v, ok := pool.SupportedLoginProviders[provider]
	if !ok || v == "" {
		return "", refuse(msgUnsupported)
	}
	return v, nil
}

// socialOIDC verifies a Google or Apple ID token; its aud (or azp) must be
// one of the client ids configured for the provider.
func (v *Verifier) socialOIDC(ctx context.Context, pool *storage.Pool, provider, token string) (*identity.VerifiedLogin, error) {
	ids, err := supported(pool, provider)
	if err != nil {
		return nil, err
	}
	is := v.social.Google
	if provider == ProviderApple {
		is = v.social.Apple
	}
	j := v.jwt(token)
	peek, err := j.peek()
	if err != nil {
		return nil, err
	}
	if iss := peek.str("iss"); iss != is.Issuer && "https://"+iss != is.Issuer {
		return nil, refuse(msgIssuer)
	}
	c, err := v.verifyIssuerToken(ctx, pool.AccountID, is, is.Issuer+"\x00"+is.JWKSURL, j)
	if err != nil {
		return nil, err
	}
	aud, ok := withAudience(c, splitList(ids))
	if !ok {
		return nil, refuse(msgAudience)
	}
	return oidcLogin(provider, aud, c, j.cached)
}

// facebook checks an access token with the Graph API's debug_token, using
// the token itself as the access token (Cognito knows only the app id, not
// its secret), and requires it to belong to the configured app.
func (v *Verifier) facebook(ctx context.Context, pool *storage.Pool, token string) (*identity.VerifiedLogin, error) {
	appID, err := supported(pool, ProviderFacebook)
	if err != nil {
		return nil, err
	}
	q := url.Values{"input_token": {token}, "access_token": {token}}
	var out struct {
		Data struct {
			AppID     string `json:"app_id"`
			UserID    string `json:"user_id"`
			IsValid   bool   `json:"is_valid"`
			ExpiresAt int64  `json:"expires_at"`
		} `json:"data"`
	}
	if err := v.providerGet(ctx, ProviderFacebook, v.social.FacebookGraphURL+"/debug_token?"+q.Encode(), nil, &out); err != nil {
		return nil, err
	}
	d := out.Data
	if !d.IsValid || d.UserID == "" {
		return nil, refuse(msgInvalid)
	}
	if now := v.now().Unix(); d.ExpiresAt != 0 && now >= d.ExpiresAt {
		return nil, expired(now, d.ExpiresAt)
	}
	if !slices.Contains(splitList(appID), d.AppID) {
		return nil, refuse(msgUnsupported)
	}
	return accessTokenLogin(ProviderFacebook, d.AppID, d.UserID, nil), nil
}

// amazon checks a Login with Amazon access token with tokeninfo; the
// configured app id must be the token's app_id (or its client id, aud).
func (v *Verifier) amazon(ctx context.Context, pool *storage.Pool, token string) (*identity.VerifiedLogin, error) {
	appID, err := supported(pool, ProviderAmazon)
	if err != nil {
		return nil, err
	}
	var out struct {
		Aud    string `json:"aud"`
		AppID  string `json:"app_id"`
		UserID string `json:"user_id"`
	}
	q := url.Values{"access_token": {token}}
	if err := v.providerGet(ctx, ProviderAmazon, v.social.AmazonAPIURL+"/auth/o2/tokeninfo?"+q.Encode(), nil, &out); err != nil {
		return nil, err
	}
	if out.UserID == "" {
		return nil, refuse(msgInvalid)
	}
	ids := splitList(appID)
	var app string
	switch {
	case out.AppID != "" && slices.Contains(ids, out.AppID):
		app = out.AppID
	case out.Aud != "" && slices.Contains(ids, out.Aud):
		app = out.Aud
	default:
		return nil, refuse(msgUnsupported)
	}
	return accessTokenLogin(ProviderAmazon, app, out.UserID, map[string]any{"user_id": out.UserID}), nil
}

// twitter checks "token;secret" with an OAuth 1.0a-signed
// account/verify_credentials call using the pool's "consumerKey;consumerSecret".
func (v *Verifier) twitter(ctx context.Context, pool *storage.Pool, token string) (*identity.VerifiedLogin, error) {
	consumer, err := supported(pool, ProviderTwitter)
	if err != nil {
		return nil, err
	}
	ck, cs, ok := strings.Cut(consumer, ";")
	if !ok {
		return nil, refuseCause(msgUnsupported, errors.New("twitter provider value is not consumerKey;consumerSecret"))
	}
	tok, tokSecret, ok := strings.Cut(token, ";")
	if !ok || tok == "" {
		return nil, refuse(msgInvalid)
	}
	endpoint := v.social.TwitterAPIURL + "/1.1/account/verify_credentials.json"
	nonce, err := oauthNonce()
	if err != nil {
		return nil, err
	}
	auth := oauth1Header(http.MethodGet, endpoint, nil, oauth1Keys{
		ConsumerKey: ck, ConsumerSecret: cs, Token: tok, TokenSecret: tokSecret,
	}, nonce, v.now().Unix())
	var out struct {
		IDStr string `json:"id_str"`
	}
	if err := v.providerGet(ctx, ProviderTwitter, endpoint, http.Header{"Authorization": {auth}}, &out); err != nil {
		return nil, err
	}
	if out.IDStr == "" {
		return nil, refuse(msgInvalid)
	}
	// aud is the consumer key only: the secret must not reach claims, which
	// may become session tags.
	return accessTokenLogin(ProviderTwitter, ck, out.IDStr, nil), nil
}

// providerGet calls a social provider's API: a 4xx answer means the token
// was refused, anything else failing means the provider is unreachable.
func (v *Verifier) providerGet(ctx context.Context, provider, u string, h http.Header, out any) error {
	err := v.fetch.getJSON(ctx, u, h, out)
	var se *statusError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se) && se.code/100 == 4:
		return refuseCause(msgInvalid, se)
	}
	return unavailable(provider, err)
}

// accessTokenLogin is the VerifiedLogin of an OAuth access token provider:
// claims iss, aud (app id) and sub, as AWS documents for Facebook and
// Amazon role rules.
func accessTokenLogin(provider, app, user string, extra map[string]any) *identity.VerifiedLogin {
	c := map[string]any{"iss": provider, "aud": app, "sub": user}
	for k, val := range extra {
		c[k] = val
	}
	return &identity.VerifiedLogin{
		Provider: provider,
		Subject:  user,
		AMR:      provider + ":" + app + ":" + user,
		Claims:   c,
	}
}
