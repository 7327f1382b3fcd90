package picker

import (
	"reflect"
	"testing"
)

func TestFilter(t *testing.T) {
	rows := []Row{
		{Name: "dev", Kind: "static"},
		{Name: "prod-admin", Kind: "sso", Account: "111111111111", Role: "Admin"},
		{Name: "prod", Kind: "role"},
		{Name: "staging", Kind: "sso", Role: "ReadOnly"},
	}
	for _, tc := range []struct {
		query string
		want  []int
	}{
		{"", []int{0, 1, 2, 3}},
		{"prod", []int{1, 2}},
		{"PROD ad", []int{1}},
		{"stg", []int{3}},
		{"readonly", []int{3}},
		{"1111", []int{1}},
		{"zzz", []int{}},
	} {
		got := Filter(rows, tc.query)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Filter(%q) = %v, want %v", tc.query, got, tc.want)
		}
	}
}
