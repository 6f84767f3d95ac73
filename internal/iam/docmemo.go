package iam

import (
	"slices"
	"sync"
)

// oidcDocs remembers decoded OIDC provider documents by their bytes. Every
// login on an IAM OIDC provider reads its document (go-json's decode was
// 4% of a GetId on a login); the decoding is a pure function of the bytes,
// so the memo is right on every node whatever the others write, and a
// changed provider is a different document.
var oidcDocs = docMemo{m: map[string]*OIDCProvider{}}

// maxMemoBytes bounds the documents the memo holds: reaching it empties the
// memo (a provider's document is at most a few KB: 100 client ids, 5
// thumbprints, 50 tags, so one document never comes near it).
const maxMemoBytes = 1 << 20

type docMemo struct {
	mu    sync.Mutex
	m     map[string]*OIDCProvider // by document; never handed out
	bytes int
}

// decode returns a copy of doc's decoding, which the caller may change.
func (c *docMemo) decode(doc []byte) (*OIDCProvider, error) {
	c.mu.Lock()
	d, ok := c.m[string(doc)]
	c.mu.Unlock()
	if ok {
		return d.clone(), nil
	}
	d = new(OIDCProvider)
	if err := decodeDoc(doc, d); err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.bytes+len(doc) > maxMemoBytes {
		clear(c.m)
		c.bytes = 0
	}
	if _, ok := c.m[string(doc)]; !ok {
		c.m[string(doc)] = d
		c.bytes += len(doc)
	}
	c.mu.Unlock()
	return d.clone(), nil
}

// len is the number of documents held (for tests).
func (c *docMemo) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

func (p *OIDCProvider) clone() *OIDCProvider {
	c := *p
	c.ClientIDList = slices.Clone(p.ClientIDList)
	c.ThumbprintList = slices.Clone(p.ThumbprintList)
	c.Tags = slices.Clone(p.Tags)
	return &c
}
