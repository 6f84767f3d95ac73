package storage_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/idpool/idpool/internal/storage"
)

var timeType = reflect.TypeFor[time.Time]()

// fill sets every field reachable from v to a non-zero value, so a field
// added to Pool later is covered without editing this test.
func fill(v reflect.Value) {
	switch {
	case v.Type() == timeType:
		v.Set(reflect.ValueOf(time.Unix(1, 0)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("s")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(1)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i))
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for _, k := range []string{"a", "b"} {
			e := reflect.New(v.Type().Elem()).Elem()
			fill(e)
			v.SetMapIndex(reflect.ValueOf(k), e)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i))
		}
	default:
		panic("fill: unhandled kind " + v.Kind().String() + " in " + v.Type().String())
	}
}

// mutate changes every value reachable from v in place, through whatever
// pointers, slices and maps it shares.
func mutate(v reflect.Value) {
	if v.Type() == timeType {
		v.Set(reflect.ValueOf(time.Unix(2, 0)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "!")
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Int, reflect.Int64:
		v.SetInt(v.Int() + 1)
	case reflect.Pointer:
		mutate(v.Elem())
	case reflect.Slice:
		for i := range v.Len() {
			mutate(v.Index(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			mutate(e)
			v.SetMapIndex(k, e)
		}
		e := reflect.New(v.Type().Elem()).Elem()
		v.SetMapIndex(reflect.ValueOf("added"), e)
	case reflect.Struct:
		for i := range v.NumField() {
			mutate(v.Field(i))
		}
	}
}

// TestIdentityCloneIsDeep is TestPoolCloneIsDeep for identities.
func TestIdentityCloneIsDeep(t *testing.T) {
	checkCloneIsDeep(t, (*storage.Identity).Clone)
}

// TestPoolCloneIsDeep: a clone equals its pool, and no edit of the clone,
// however deep, shows in the pool (a cache hands out clones of what it keeps).
func TestPoolCloneIsDeep(t *testing.T) {
	checkCloneIsDeep(t, (*storage.Pool).Clone)
}

// checkCloneIsDeep fills a T in every field, clones it, edits every field
// of the clone and checks the original is untouched; the clone of a zero T
// must equal it (nil maps and slices stay nil).
func checkCloneIsDeep[T any](t *testing.T, clone func(*T) *T) {
	t.Helper()
	var orig, want T
	fill(reflect.ValueOf(&orig).Elem())
	fill(reflect.ValueOf(&want).Elem())
	c := clone(&orig)
	if !reflect.DeepEqual(c, &orig) {
		t.Fatalf("clone differs from its original:\n%+v\n%+v", c, orig)
	}
	mutate(reflect.ValueOf(c).Elem())
	if reflect.DeepEqual(c, &orig) {
		t.Fatal("mutate changed nothing: the test cannot see sharing")
	}
	if !reflect.DeepEqual(&orig, &want) {
		t.Fatalf("editing the clone changed the original:\n%+v\nwant\n%+v", orig, want)
	}
	var zero T
	if z := clone(&zero); !reflect.DeepEqual(z, &zero) {
		t.Fatalf("clone of the zero value = %+v", z)
	}
}
