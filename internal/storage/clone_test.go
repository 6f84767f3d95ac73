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
	var orig, want storage.Identity
	fill(reflect.ValueOf(&orig).Elem())
	fill(reflect.ValueOf(&want).Elem())
	c := orig.Clone()
	if !reflect.DeepEqual(c, &orig) {
		t.Fatalf("clone differs from its identity:\n%+v\n%+v", c, orig)
	}
	mutate(reflect.ValueOf(c).Elem())
	if reflect.DeepEqual(c, &orig) {
		t.Fatal("mutate changed nothing: the test cannot see sharing")
	}
	if !reflect.DeepEqual(&orig, &want) {
		t.Fatalf("editing the clone changed the identity:\n%+v\nwant\n%+v", orig, want)
	}
	var zero storage.Identity
	if z := zero.Clone(); !reflect.DeepEqual(z, &zero) {
		t.Fatalf("clone of the zero identity = %+v", z)
	}
}

// TestPoolCloneIsDeep: a clone equals its pool, and no edit of the clone,
// however deep, shows in the pool (a cache hands out clones of what it keeps).
func TestPoolCloneIsDeep(t *testing.T) {
	var orig, want storage.Pool
	fill(reflect.ValueOf(&orig).Elem())
	fill(reflect.ValueOf(&want).Elem())
	c := orig.Clone()
	if !reflect.DeepEqual(c, &orig) {
		t.Fatalf("clone differs from its pool:\n%+v\n%+v", c, orig)
	}
	mutate(reflect.ValueOf(c).Elem())
	if reflect.DeepEqual(c, &orig) {
		t.Fatal("mutate changed nothing: the test cannot see sharing")
	}
	if !reflect.DeepEqual(&orig, &want) {
		t.Fatalf("editing the clone changed the pool:\n%+v\nwant\n%+v", orig, want)
	}
	var zero storage.Pool
	if z := zero.Clone(); !reflect.DeepEqual(z, &zero) {
		t.Fatalf("clone of the zero pool = %+v (nil maps and slices must stay nil)", z)
	}
}
