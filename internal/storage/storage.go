// Package storage defines idpool's persistent state and the contract every
// backend (SQLite, PostgreSQL) must meet. It imports nothing from idpool, so
// the layers above depend on it and never the other way round.
//
// All access goes through transactions: View for reads, Update for writes.
// Business rules (linking, merging, limits) run inside Update in Go, so every
// backend gets them right by being serializable, not by repeating the rules in
// SQL. The conformance suite in storage/conformance states the contract in
// tests; every backend runs it.
package storage

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Sentinel errors. Backends translate their driver errors into these.
var (
	// ErrNotFound: the requested record does not exist.
	ErrNotFound = errors.New("storage: not found")
	// ErrAlreadyExists: a record with this key (or a login with this
	// provider and subject in this pool) exists already.
	ErrAlreadyExists = errors.New("storage: already exists")
	// ErrConflict: a compare-and-swap lost to a concurrent writer.
	ErrConflict = errors.New("storage: concurrent modification")
	// ErrUnavailable: the database cannot be reached; the caller may retry.
	ErrUnavailable = errors.New("storage: unavailable")
	// ErrFull and ErrReadOnly are the kinds of ErrUnavailable (errors.Is
	// matches both) that last until an operator acts: the disk or the
	// database's space is full, or the database takes no writes
	// (read-only file or mount, PostgreSQL default_transaction_read_only or
	// a standby). Reads keep working.
	ErrFull     = fmt.Errorf("%w: no space left", ErrUnavailable)
	ErrReadOnly = fmt.Errorf("%w: read-only", ErrUnavailable)
)

// WriteCondition names the condition of err that stops writes ("full",
// "read-only"), or "" when err is none of them.
func WriteCondition(err error) string {
	switch {
	case errors.Is(err, ErrFull):
		return "full"
	case errors.Is(err, ErrReadOnly):
		return "read-only"
	}
	return ""
}

// Store is a storage backend.
type Store interface {
	// View runs fn in a read-only transaction that sees one consistent snapshot.
	View(ctx context.Context, fn func(Reader) error) error
	// Update runs fn in a serializable read-write transaction and commits it
	// if fn returns nil; the commit is durable when Update returns nil.
	// fn MUST be safe to call more than once: a backend retries it after a
	// serialization failure, and only the last call's writes are kept.
	// Errors returned by fn are returned unchanged (after rolling back).
	Update(ctx context.Context, fn func(Tx) error) error
	// Close releases the backend's resources.
	Close() error
}

// Reader reads state inside a transaction. Methods return ErrNotFound when
// the record does not exist. Slices and maps returned are owned by the caller.
type Reader interface {
	// GetPool returns the identity pool with this id.
	GetPool(id string) (*Pool, error)
	// ListPools returns up to limit pools of account in region whose id
	// sorts after afterID ("" = from the start), in ascending id order.
	ListPools(account, region, afterID string, limit int) ([]*Pool, error)
	// CountPools returns how many pools account has in region.
	CountPools(account, region string) (int, error)

	// GetIdentity returns the identity with this id, with its logins.
	GetIdentity(id string) (*Identity, error)
	// ListIdentities returns up to limit identities of pool whose id sorts
	// after afterID, in ascending id order, with their logins; disabled ones
	// are left out when hideDisabled is set.
	ListIdentities(poolID, afterID string, limit int, hideDisabled bool) ([]*Identity, error)
	// LoginOwner returns the id of the identity that holds the login
	// (provider, subject) in pool.
	LoginOwner(poolID, provider, subject string) (string, error)
	// LoginIdentity returns the identity that holds the login, with its
	// logins: LoginOwner and GetIdentity in one statement, for the login
	// calls that read both.
	LoginIdentity(poolID, provider, subject string) (*Identity, error)
	// ListLoginSubjects returns up to limit subjects of provider held by
	// identity, in ascending order, after afterSubject.
	ListLoginSubjects(identityID, provider, afterSubject string, limit int) ([]string, error)

	// GetResource returns an account-scoped resource (an IAM role, an OIDC or
	// SAML provider: kinds are defined by the packages that own them).
	GetResource(account, kind, name string) (*Resource, error)
	// ListResources returns up to limit resources of kind in account whose
	// name sorts after afterName, in ascending name order.
	ListResources(account, kind, afterName string, limit int) ([]*Resource, error)

	// GetBlob returns a versioned singleton value (signing keys, settings).
	GetBlob(key string) (*Blob, error)
}

// Tx reads and writes inside a read-write transaction.
type Tx interface {
	Reader

	// CreatePool inserts p; ErrAlreadyExists if its id is taken.
	CreatePool(p *Pool) error
	// UpdatePool replaces the pool with p.ID; ErrNotFound if it does not exist.
	UpdatePool(p *Pool) error
	// DeletePool deletes the pool, its identities and their logins.
	DeletePool(id string) error

	// CreateIdentity inserts id with its logins; ErrAlreadyExists if the id
	// or any of its logins is taken.
	CreateIdentity(id *Identity) error
	// UpdateIdentity replaces the identity with id.ID, its flags, dates and
	// its whole set of logins; ErrNotFound if it does not exist,
	// ErrAlreadyExists if a login it adds is held by another identity.
	UpdateIdentity(id *Identity) error
	// DeleteIdentity deletes the identity and its logins.
	DeleteIdentity(id string) error

	// PutResource inserts or replaces a resource.
	PutResource(r *Resource) error
	// CreateResource inserts r; ErrAlreadyExists if (account, kind, name) is taken.
	CreateResource(r *Resource) error
	// DeleteResource deletes a resource; ErrNotFound if it does not exist.
	DeleteResource(account, kind, name string) error

	// PutBlob writes b if the stored version equals b.Version (0 = must not
	// exist yet) and stores it with Version+1; ErrConflict otherwise.
	PutBlob(b *Blob) error
}

// Pool is an identity pool. Maps and slices are nil when unset.
type Pool struct {
	ID        string // REGION:uuid
	AccountID string
	Region    string
	Name      string

	AllowUnauthenticated bool
	// AllowClassicFlow is nil when the caller never set it (AWS treats an
	// absent value as allowed, an explicit false as disabled).
	AllowClassicFlow          *bool
	SupportedLoginProviders   map[string]string
	DeveloperProviderName     string
	OpenIDConnectProviderARNs []string
	CognitoIdentityProviders  []CognitoProvider
	SAMLProviderARNs          []string
	Tags                      map[string]string

	// Roles maps "authenticated"/"unauthenticated" to a role ARN.
	Roles        map[string]string
	RoleMappings map[string]RoleMapping
	// PrincipalTags maps an identity provider name to its attribute map.
	PrincipalTags map[string]PrincipalTagMap

	CreatedAt time.Time
	UpdatedAt time.Time
}

// CognitoProvider is a user pool app client that may log in to a pool.
type CognitoProvider struct {
	ProviderName         string
	ClientID             string
	ServerSideTokenCheck bool
}

// RoleMapping chooses roles for one provider's users.
type RoleMapping struct {
	Type                    string // Token | Rules
	AmbiguousRoleResolution string // AuthenticatedRole | Deny
	Rules                   []MappingRule
}

// MappingRule is one rule of a Rules role mapping.
type MappingRule struct {
	Claim, MatchType, Value, RoleARN string
}

// PrincipalTagMap maps session tag keys to token claims for one provider.
type PrincipalTagMap struct {
	UseDefaults bool
	Tags        map[string]string
}

// Identity is a Cognito identity.
type Identity struct {
	ID     string // REGION:uuid
	PoolID string
	// Authenticated is set once the identity has had a login; it stays set
	// when its logins are unlinked (AWS then refuses it as a guest).
	Authenticated bool
	// Disabled identities (the losing side of a merge) are refused.
	Disabled  bool
	Logins    []Login
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Login links an identity to a user of a provider. (PoolID, Provider,
// Subject) is unique across identities.
type Login struct {
	// Provider is the Logins key (graph.facebook.com, the developer provider
	// name, cognito-idp.REGION.amazonaws.com/POOL, an OIDC host, a SAML ARN).
	Provider string
	// Subject identifies the user at the provider (the token's sub, or the
	// developer user identifier).
	Subject string
}

// Resource is an account-scoped document owned by a higher layer.
type Resource struct {
	AccountID string
	Kind      string
	Name      string
	Doc       []byte // JSON, opaque to storage
	CreatedAt time.Time
}

// Blob is a versioned singleton value.
type Blob struct {
	Key     string
	Value   []byte
	Version int64
}
