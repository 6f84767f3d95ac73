package sts

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/idpool/idpool/internal/auth"
)

// Keyring returns the keyring of the credentials this STS vends, for the
// SigV4 verifiers (chain it after the account keys).
func (s *Service) Keyring() auth.Keyring { return sessionKeyring{s} }

type sessionKeyring struct{ s *Service }

// Lookup opens the session token, checks it was sealed for this access key
// id and that the session has not ended.
func (k sessionKeyring) Lookup(_ context.Context, accessKeyID, token string) (auth.Principal, string, error) {
	if !strings.HasPrefix(accessKeyID, "ASIA") || token == "" {
		return auth.Principal{}, "", auth.ErrUnknownKey
	}
	rec, err := k.s.sealer.open(accessKeyID, token)
	if errors.Is(err, errNotOurs) {
		return auth.Principal{}, "", auth.ErrBadSessionToken
	}
	if err != nil {
		return auth.Principal{}, "", err
	}
	exp := time.Unix(rec.Expires, 0).UTC()
	if !k.s.now().Before(exp) {
		return auth.Principal{}, "", auth.ErrExpiredKey
	}
	return auth.Principal{
		AccountID:   rec.Account,
		AccessKeyID: accessKeyID,
		ARN:         AssumedRoleARN(rec.Account, rec.RoleName, rec.SessionName),
		UserID:      rec.RoleID + ":" + rec.SessionName,
		Session: &auth.Session{
			RoleARN: rec.RoleARN, RoleName: rec.RoleName, RoleID: rec.RoleID, SessionName: rec.SessionName,
			Expiration: exp, Tags: rec.Tags, Subject: rec.Subject, Issuer: rec.Issuer, Audience: rec.Audience,
		},
	}, rec.Secret, nil
}

// AssumedRoleARN is arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION (the
// role's path is not part of it).
func AssumedRoleARN(account, role, session string) string {
	return "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + session
}
