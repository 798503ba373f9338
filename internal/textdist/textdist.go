// Package textdist measures how far apart two words are, to suggest the name
// a user probably meant.
package textdist

import "strings"

// Levenshtein is the edit distance between a and b: the fewest insertions,
// deletions and substitutions of bytes turning one into the other.
func Levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Closest returns the candidate nearest to word (case-insensitively) within
// edit distance maxDist, preferring on ties the one sharing the longer
// start, or "" if none is that close.
func Closest(word string, candidates []string, maxDist int) string {
	word = strings.ToLower(word)
	best, bestD, bestP := "", maxDist+1, -1
	for _, c := range candidates {
		d, p := Levenshtein(word, c), commonPrefix(word, c)
		if d < bestD || (d == bestD && p > bestP) {
			best, bestD, bestP = c, d, p
		}
	}
	return best
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
