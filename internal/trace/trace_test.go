package trace

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestOffPathAllocatesNothing(t *testing.T) {
	ctx := context.Background()
	allocs := testing.AllocsPerRun(100, func() {
		tr := From(ctx)
		tr.Step(PhaseLogin, "aud", Fail, "the token is for another client", "aud", "x", "clientIds", "y")
		tr.Pool("p", "a")
		tr.Identity("i")
		if tr.On() {
			t.Fatal("a context without a recorder records")
		}
	})
	if allocs != 0 {
		t.Errorf("off path allocates %v times per call", allocs)
	}
}

func TestFactsHideTokens(t *testing.T) {
	r := New()
	tok := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhYmMifQ.c2lnbmF0dXJl"
	r.Step(PhaseLogin, "signature", Fail, "token "+tok+" refused", "token", tok, "long", strings.Repeat("é", 600))
	tr, _ := r.Finish("id", "GetId", time.Now(), "NotAuthorizedException", "no", false)
	s := tr.Steps[0]
	if strings.Contains(s.Detail, tok) || s.Facts.Get("token") != "[token]" {
		t.Errorf("a token is kept: %+v", s)
	}
	if len(s.Facts.Get("long")) > maxFact+4 || !strings.HasSuffix(s.Facts.Get("long"), "…") {
		t.Errorf("a long fact is not clipped: %d bytes", len(s.Facts.Get("long")))
	}
	if tr.Outcome != OutcomeRefused {
		t.Errorf("outcome %q", tr.Outcome)
	}
}

func TestStoreDropsTheOldestAndPages(t *testing.T) {
	s := NewStore(5)
	for i := 0; i < 12; i++ {
		op := "GetId"
		if i%2 == 1 {
			op = "GetCredentialsForIdentity"
		}
		s.Put("A", &Trace{Summary: Summary{RequestId: fmt.Sprint(i), Operation: op}})
	}
	s.Put("B", &Trace{Summary: Summary{RequestId: "b"}})
	if n := s.Len("A"); n != 5 {
		t.Fatalf("A holds %d, want 5", n)
	}
	for i := 0; i < 7; i++ {
		if _, ok := s.Get("A", fmt.Sprint(i)); ok {
			t.Errorf("trace %d was not dropped", i)
		}
	}
	if _, ok := s.Get("A", "11"); !ok {
		t.Error("the newest is gone")
	}
	if _, ok := s.Get("A", "b"); ok {
		t.Error("A reads B's trace")
	}
	var got []string
	next := ""
	for {
		page, n, ok := s.List("A", Filter{}, 2, next)
		if !ok {
			t.Fatal("List refuses its own token")
		}
		for _, p := range page {
			got = append(got, p.RequestId)
		}
		if next = n; next == "" {
			break
		}
	}
	if strings.Join(got, ",") != "11,10,9,8,7" {
		t.Errorf("pages = %v", got)
	}
	page, _, _ := s.List("A", Filter{Operation: "GetId"}, 10, "")
	if len(page) != 2 || page[0].RequestId != "10" {
		t.Errorf("filtered = %v", page)
	}
	if _, _, ok := s.List("A", Filter{}, 2, "bogus!"); ok {
		t.Error("a bad token is taken")
	}
}
