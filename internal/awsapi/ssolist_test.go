package awsapi_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/awsenv/awsenv/internal/awsapi"
)

// lister has n accounts with roles R0..R(roles-1), a page of 3 at a time.
type lister struct {
	n, roles      int
	failAccount   string
	inFlight, max atomic.Int32
}

func pageOf(total int, next string) (from, to int, tok string) {
	from, _ = strconv.Atoi(next)
	to = min(from+3, total)
	if to < total {
		tok = strconv.Itoa(to)
	}
	return
}

func (l *lister) ListAccountsPage(_ context.Context, _ awsapi.AccessInput, next string) ([]awsapi.AccountRole, string, error) {
	from, to, tok := pageOf(l.n, next)
	var out []awsapi.AccountRole
	for i := from; i < to; i++ {
		out = append(out, awsapi.AccountRole{AccountID: fmt.Sprintf("%012d", i), AccountName: fmt.Sprintf("acct-%03d", i)})
	}
	return out, tok, nil
}

func (l *lister) ListAccountRolesPage(_ context.Context, _ awsapi.AccessInput, account, next string) ([]string, string, error) {
	n := l.inFlight.Add(1)
	defer l.inFlight.Add(-1)
	for m := l.max.Load(); n > m && !l.max.CompareAndSwap(m, n); m = l.max.Load() {
	}
	if account == l.failAccount {
		return nil, "", awsapi.ErrUnauthorized
	}
	from, to, tok := pageOf(l.roles, next)
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("R%d", i))
	}
	return out, tok, nil
}

func TestListAccessAllPages(t *testing.T) {
	l := &lister{n: 50, roles: 7}
	got, err := awsapi.ListAccess(context.Background(), l, awsapi.AccessInput{})
	if err != nil || len(got) != 50*7 {
		t.Fatalf("%d pairs, %v", len(got), err)
	}
	if got[0].AccountName != "acct-000" || got[0].RoleName != "R0" || got[len(got)-1].AccountName != "acct-049" {
		t.Fatalf("not sorted: %v ... %v", got[0], got[len(got)-1])
	}
	if m := l.max.Load(); m > awsapi.ListWorkers {
		t.Fatalf("%d calls at once, over %d", m, awsapi.ListWorkers)
	}
}

func TestListAccessFirstError(t *testing.T) {
	l := &lister{n: 50, roles: 2, failAccount: fmt.Sprintf("%012d", 17)}
	if _, err := awsapi.ListAccess(context.Background(), l, awsapi.AccessInput{}); !errors.Is(err, awsapi.ErrUnauthorized) {
		t.Fatalf("err = %v", err)
	}
}
