package main

import (
	"context"
	"sync"

	"github.com/awsenv/awsenv/internal/credserver"
	"github.com/awsenv/awsenv/internal/helper"
)

// credServer is the helper's credential endpoint for `awsenv exec
// --server`, started on the first request; it ends with the helper, which
// ends when awsenv closes its stdin after the command.
type credServer struct {
	mu  sync.Mutex
	srv *credserver.Server
}

func (c *credServer) serve(_ context.Context, in helper.ServerInput) (helper.ServerInfo, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.srv == nil {
		s, err := credserver.Listen()
		if err != nil {
			return helper.ServerInfo{}, err
		}
		c.srv = s
	}
	c.srv.Set(in.Credentials)
	return helper.ServerInfo{URL: c.srv.URL(), Token: c.srv.Token()}, nil
}
