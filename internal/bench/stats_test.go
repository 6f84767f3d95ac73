package bench

import (
	"testing"
	"time"
)

func TestPercentileNearestRank(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {90, 90 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0, time.Millisecond}} {
		if got := Percentile(d, c.p); got != c.want {
			t.Errorf("p%v = %v, want %v", c.p, got, c.want)
		}
	}
	if got := Percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("single sample p99 = %v", got)
	}
	if got := Percentile(nil, 50); got != 0 {
		t.Errorf("empty = %v", got)
	}
}

func TestRecorderCountsAndMerges(t *testing.T) {
	var a, b Recorder
	a.Observe(3*time.Millisecond, "")
	a.Observe(time.Millisecond, "")
	a.Observe(0, "TooManyRequestsException")
	b.Observe(2*time.Millisecond, "")
	b.Observe(0, "TooManyRequestsException")
	b.Observe(0, "transport")
	a.Merge(&b)
	s := a.Summarize("GetId", 2*time.Second)
	if s.Requests != 6 || s.OK != 3 || s.ErrorsN != 3 {
		t.Fatalf("counts: %+v", s)
	}
	if s.Errors["TooManyRequestsException"] != 2 || s.Errors["transport"] != 1 {
		t.Fatalf("errors by type: %v", s.Errors)
	}
	if s.PerSecond != 3 {
		t.Fatalf("rate: %v", s.PerSecond)
	}
	if s.P50 != 2 || s.Max != 3 {
		t.Fatalf("latencies: p50=%v max=%v", s.P50, s.Max)
	}
}

func TestScheduleKeepsProportionsAndSpreads(t *testing.T) {
	schedule, names, err := buildSchedule(map[string]int{"getid-new": 3, "openid": 1, "describe": 0})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 2 || names[0] != "getid-new" || names[1] != "openid" {
		t.Fatalf("names: %v", names)
	}
	count := map[int]int{}
	for _, k := range schedule {
		count[k]++
	}
	if len(schedule) != 4 || count[0] != 3 || count[1] != 1 {
		t.Fatalf("schedule: %v", schedule)
	}
	if _, _, err := buildSchedule(map[string]int{"nope": 1}); err == nil {
		t.Error("unknown operation accepted")
	}
	if _, _, err := buildSchedule(map[string]int{"openid": 0}); err == nil {
		t.Error("empty mix accepted")
	}
	// 1:1 interleaves rather than running one operation twice in a row.
	s, _, _ := buildSchedule(map[string]int{"openid": 2, "describe": 2})
	for i := 1; i < len(s); i++ {
		if s[i] == s[i-1] {
			t.Fatalf("not interleaved: %v", s)
		}
	}
}

func TestParseMix(t *testing.T) {
	m, err := parseMix("getid-new=3, openid ,describe=0")
	if err != nil || m["getid-new"] != 3 || m["openid"] != 1 || m["describe"] != 0 {
		t.Fatalf("%v %v", m, err)
	}
	if _, err := parseMix("openid=x"); err == nil {
		t.Error("bad weight accepted")
	}
}
