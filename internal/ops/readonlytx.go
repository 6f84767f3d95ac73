package ops

import (
	"errors"

	"github.com/idpool/idpool/internal/storage"
)

// errReadOnly ends a read-only pass that would have to write.
var errReadOnly = errors.New("ops: read-only pass needs a write")

// readOnlyTx is a storage.Tx over a read snapshot whose writes fail with
// errReadOnly and raise *needsWrite, so logic written for a write
// transaction can first be tried on a cheaper read transaction.
type readOnlyTx struct {
	storage.Reader
	needsWrite *bool
}

func (t readOnlyTx) fail() error { *t.needsWrite = true; return errReadOnly }

func (t readOnlyTx) CreatePool(*storage.Pool) error              { return t.fail() }
func (t readOnlyTx) UpdatePool(*storage.Pool) error              { return t.fail() }
func (t readOnlyTx) DeletePool(string) error                     { return t.fail() }
func (t readOnlyTx) CreateIdentity(*storage.Identity) error      { return t.fail() }
func (t readOnlyTx) UpdateIdentity(*storage.Identity) error      { return t.fail() }
func (t readOnlyTx) DeleteIdentity(string) error                 { return t.fail() }
func (t readOnlyTx) PutResource(*storage.Resource) error         { return t.fail() }
func (t readOnlyTx) CreateResource(*storage.Resource) error      { return t.fail() }
func (t readOnlyTx) DeleteResource(string, string, string) error { return t.fail() }
func (t readOnlyTx) PutBlob(*storage.Blob) error                 { return t.fail() }
