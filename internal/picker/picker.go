// Package picker holds what the profile picker shows and how it filters:
// the rows awsenv sends to the helper's picker (`awsenv-helper-full picker`),
// and the fuzzy match. It links no terminal UI library, so the front may
// import it; the UI itself lives in picker/tui, which only the helper
// imports (the cached path of `awsenv use PROFILE` never loads it).
package picker

import (
	"sort"
	"strings"
	"unicode"
)

// Row is one profile in the list.
type Row struct {
	Name     string `json:"name"`
	Kind     string `json:"kind,omitempty"`
	Account  string `json:"account,omitempty"`
	Role     string `json:"role,omitempty"`
	TimeLeft string `json:"time_left,omitempty"` // of its cached session; empty: none
}

// Exit codes of `awsenv-helper-full picker`: a name chosen (printed on its
// stdout), or the person left with Esc or Ctrl-C.
const (
	ExitChosen  = 0
	ExitAborted = 130
)

// text is what the query is matched against.
func (r Row) text() string {
	return strings.ToLower(r.Name + " " + r.Kind + " " + r.Account + " " + r.Role)
}

// Filter returns the indexes of the rows that match query, best first: a
// row matches when query's characters (spaces ignored, case ignored)
// appear in it in order, as fzf does. Tighter and earlier matches rank
// first; ties keep the rows' order. An empty query keeps every row.
func Filter(rows []Row, query string) []int {
	q := []rune(strings.ToLower(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, query)))
	type hit struct{ i, span, start int }
	var hits []hit
	for i, r := range rows {
		if len(q) == 0 {
			hits = append(hits, hit{i: i})
			continue
		}
		if start, span, ok := match([]rune(r.text()), q); ok {
			hits = append(hits, hit{i, span, start})
		}
	}
	sort.SliceStable(hits, func(a, b int) bool {
		if hits[a].span != hits[b].span {
			return hits[a].span < hits[b].span
		}
		return hits[a].start < hits[b].start
	})
	out := make([]int, len(hits))
	for k, h := range hits {
		out[k] = h.i
	}
	return out
}

// match finds q in s as a subsequence, taking the shortest window that
// ends at each possible first match.
func match(s, q []rune) (start, span int, ok bool) {
	best := -1
	for i := range s {
		if s[i] != q[0] {
			continue
		}
		j, k := i, 0
		for ; j < len(s) && k < len(q); j++ {
			if s[j] == q[k] {
				k++
			}
		}
		if k < len(q) {
			break // no later start can match either
		}
		if w := j - i; best < 0 || w < span {
			start, span, best = i, w, i
		}
	}
	return start, span, best >= 0
}
