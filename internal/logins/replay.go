package logins

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/idpool/idpool/internal/identity"
	"github.com/idpool/idpool/internal/storage"
)

// pruneBatch is how many of the oldest replay entries each new entry looks
// at for removal.
const pruneBatch = 20

// msgReplay refuses an assertion that was used before. [inf] AWS's text is
// not documented.
const msgReplay = "Invalid login token. SAML assertion has already been used."

// KindSAMLAssertion records a SAML assertion that was used (the replay cache).
const KindSAMLAssertion = "saml-assertion"

// MarkAssertionUsed records the assertion (issuer, id) as used until its
// validity ends, in the caller's write transaction, or refuses it if it
// was used before. Every operation that accepts a SAML login calls it.
//
// The cache lives in storage as Resources of kind KindSAMLAssertion in the
// provider's account, so every node sharing the database sees it and the
// insert is atomic (CreateResource fails on a duplicate name). Names start
// with the zero-padded expiry, so a name-ordered listing is oldest first:
// each insert deletes up to pruneBatch expired entries, which keeps the set
// bounded by the assertions still valid plus a small backlog. The ID is
// hashed so names have a fixed length whatever the IdP's IDs look like.
func MarkAssertionUsed(tx storage.Tx, a *identity.Assertion, now time.Time) error {
	account := a.Account
	sum := sha256.Sum256([]byte(a.Issuer + "\x00" + a.ID))
	name := fmt.Sprintf("%020d/%s", a.Until.Unix(), hex.EncodeToString(sum[:]))
	err := func() error {
		err := tx.CreateResource(&storage.Resource{
			AccountID: account, Kind: KindSAMLAssertion, Name: name, Doc: []byte("{}"), CreatedAt: now,
		})
		if err != nil {
			return err
		}
		old, err := tx.ListResources(account, KindSAMLAssertion, "", pruneBatch)
		if err != nil {
			return err
		}
		for _, r := range old {
			exp, _, _ := strings.Cut(r.Name, "/")
			sec, err := strconv.ParseInt(exp, 10, 64)
			if err == nil && sec >= now.Unix() {
				break // sorted by expiry: the rest are still valid
			}
			if err := tx.DeleteResource(account, KindSAMLAssertion, r.Name); err != nil && !errors.Is(err, storage.ErrNotFound) {
				return err
			}
		}
		return nil
	}()
	if errors.Is(err, storage.ErrAlreadyExists) {
		return refuse(msgReplay)
	}
	return err
}
