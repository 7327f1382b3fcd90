package awsapi

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
)

// ListWorkers is how many accounts' roles ListAccess asks for at once:
// enough to list a thousand accounts in seconds, few enough to stay
// under the portal's request rate (the SDK retries what is throttled).
const ListWorkers = 8

// maxPages stops a portal that keeps answering a next token.
const maxPages = 10000

var errEndlessPages = errors.New("IAM Identity Center kept answering more pages (over 10000). Try again later; if it persists, report it")

// ListAccess walks every page of ListAccounts, then every account's
// ListAccountRoles pages with ListWorkers at once, and returns each
// account and role pair sorted by account name, account id and role. The
// first error ends the walk.
func ListAccess(ctx context.Context, l SSOLister, in AccessInput) ([]AccountRole, error) {
	var accounts []AccountRole
	next := ""
	for pages := 0; ; pages++ {
		if pages == maxPages {
			return nil, fmt.Errorf("ListAccounts: %w", errEndlessPages)
		}
		page, tok, err := l.ListAccountsPage(ctx, in, next)
		if err != nil {
			return nil, err
		}
		accounts = append(accounts, page...)
		if tok == "" || tok == next {
			break
		}
		next = tok
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	roles := make([][]string, len(accounts))
	errs := make([]error, len(accounts))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(ListWorkers, len(accounts)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				roles[i], errs[i] = accountRoles(ctx, l, in, accounts[i].AccountID)
				if errs[i] != nil {
					cancel()
				}
			}
		}()
	}
	for i := range accounts {
		if ctx.Err() != nil {
			break
		}
		work <- i
	}
	close(work)
	wg.Wait()
	// The first real error, not the cancellations it caused.
	var first error
	for _, err := range errs {
		if err != nil && (first == nil || errors.Is(first, context.Canceled)) {
			first = err
		}
	}
	if first != nil {
		return nil, first
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []AccountRole
	for i, a := range accounts {
		for _, r := range roles[i] {
			out = append(out, AccountRole{AccountID: a.AccountID, AccountName: a.AccountName, RoleName: r})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.AccountName != b.AccountName {
			return a.AccountName < b.AccountName
		}
		if a.AccountID != b.AccountID {
			return a.AccountID < b.AccountID
		}
		return a.RoleName < b.RoleName
	})
	return out, nil
}

func accountRoles(ctx context.Context, l SSOLister, in AccessInput, account string) ([]string, error) {
	var roles []string
	next := ""
	for pages := 0; ; pages++ {
		if pages == maxPages {
			return nil, fmt.Errorf("ListAccountRoles: %w", errEndlessPages)
		}
		page, tok, err := l.ListAccountRolesPage(ctx, in, account, next)
		if err != nil {
			return nil, err
		}
		roles = append(roles, page...)
		if tok == "" || tok == next {
			return roles, nil
		}
		next = tok
	}
}
