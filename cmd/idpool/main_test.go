package main

import "testing"

// Every server command is on the help screen once, with a purpose.
func TestCommandsListed(t *testing.T) {
	seen := map[string]bool{}
	for _, n := range commandOrder {
		c, ok := commands[n]
		if !ok || c.purpose == "" || c.run == nil || seen[n] {
			t.Errorf("%s: listed without a command or purpose, or twice", n)
		}
		seen[n] = true
	}
	if len(seen) != len(commands) {
		t.Errorf("%d commands, %d on the help screen", len(commands), len(seen))
	}
}
