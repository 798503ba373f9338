package textdist

import "testing"

func TestLevenshtein(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"sin", "sin", 0}, {"sinn", "sin", 1}, {"kitten", "sitting", 3}, {"", "abc", 3}, {"adma", "adam", 2}} {
		if d := Levenshtein(c.a, c.b); d != c.d {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d", c.a, c.b, d, c.d)
		}
	}
}

func TestClosest(t *testing.T) {
	fs := []string{"sign", "sin", "sinh", "adam", "adamw"}
	for word, want := range map[string]string{"sinn": "sin", "ADAM": "adam", "adm": "adam", "zzzzz": ""} {
		if got := Closest(word, fs, 2); got != want {
			t.Errorf("Closest(%q) = %q, want %q", word, got, want)
		}
	}
}
