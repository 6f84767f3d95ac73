// Package auth holds who is calling: the principal behind a verified signature,
// and the keyrings that find the secret for an access key.
package auth

import (
	"context"
	"errors"
	"time"
)

// Errors a Keyring returns. The wire maps them to AWS's signature errors.
var (
	// ErrUnknownKey: the access key id is not known (UnrecognizedClientException).
	ErrUnknownKey = errors.New("auth: unknown access key")
	// ErrExpiredKey: temporary credentials whose session has ended (ExpiredTokenException).
	ErrExpiredKey = errors.New("auth: credentials expired")
	// ErrBadSessionToken: the security token does not belong to the key (UnrecognizedClientException).
	ErrBadSessionToken = errors.New("auth: invalid security token")
)

// Principal is the verified signer of a request.
type Principal struct {
	AccountID   string
	AccessKeyID string
	// ARN is arn:aws:iam::ACCOUNT:root for account keys, or the assumed-role
	// ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION) for vended credentials.
	ARN string
	// UserID is the account id for account keys, ROLEID:SESSION for sessions.
	UserID string
	// Session is set for temporary credentials vended by idpool's STS.
	Session *Session
}

// Session describes temporary credentials.
type Session struct {
	RoleARN     string
	RoleName    string
	RoleID      string
	SessionName string
	Expiration  time.Time
	Tags        map[string]string
	// Subject, Issuer and Audience of the web identity token the session came from.
	Subject, Issuer, Audience string
}

// Keyring finds the principal and secret access key for an access key id.
// sessionToken is the X-Amz-Security-Token value, empty for long-term keys.
// It returns ErrUnknownKey, ErrExpiredKey or ErrBadSessionToken.
type Keyring interface {
	Lookup(ctx context.Context, accessKeyID, sessionToken string) (Principal, string, error)
}

// Caller is what an operation knows of its caller.
type Caller struct {
	// Principal is nil for unsigned calls.
	Principal *Principal
	// Region comes from the credential scope of a signed call, or from the
	// pool or identity id of an unsigned one (empty until the operation reads it).
	Region    string
	RequestID string
	SourceIP  string
}

// Account returns the caller's account id, or "" when unsigned.
func (c *Caller) Account() string {
	if c == nil || c.Principal == nil {
		return ""
	}
	return c.Principal.AccountID
}

// Chain asks each keyring in turn; the first that knows the key answers.
type Chain []Keyring

// Lookup implements Keyring.
func (c Chain) Lookup(ctx context.Context, id, token string) (Principal, string, error) {
	for _, k := range c {
		p, s, err := k.Lookup(ctx, id, token)
		if errors.Is(err, ErrUnknownKey) {
			continue
		}
		return p, s, err
	}
	return Principal{}, "", ErrUnknownKey
}

// Account is a configured account and its long-term keys.
type Account struct {
	ID   string
	Keys map[string]string // access key id -> secret access key
}

// Static is a keyring of configured accounts.
type Static struct {
	byKey map[string]staticEntry
}

type staticEntry struct {
	account, secret string
}

// NewStatic returns a keyring over accounts.
func NewStatic(accounts []Account) *Static {
	s := &Static{byKey: map[string]staticEntry{}}
	for _, a := range accounts {
		for id, secret := range a.Keys {
			s.byKey[id] = staticEntry{account: a.ID, secret: secret}
		}
	}
	return s
}

// Lookup implements Keyring. Long-term keys take no session token.
func (s *Static) Lookup(_ context.Context, id, token string) (Principal, string, error) {
	e, ok := s.byKey[id]
	if !ok {
		return Principal{}, "", ErrUnknownKey
	}
	if token != "" {
		return Principal{}, "", ErrBadSessionToken
	}
	return Principal{
		AccountID:   e.account,
		AccessKeyID: id,
		ARN:         "arn:aws:iam::" + e.account + ":root",
		UserID:      e.account,
	}, e.secret, nil
}
