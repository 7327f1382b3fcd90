package helper

import (
	"context"
	"testing"

	"github.com/awsenv/awsenv/profiles"
)

// A credential-server request reaches Handlers.Server with its
// credentials, and its answer comes back; a helper without one says so.
func TestServeCredentialServer(t *testing.T) {
	t.Parallel()
	var got profiles.Credentials
	h := Handlers{Server: func(_ context.Context, in ServerInput) (ServerInfo, error) {
		got = in.Credentials
		return ServerInfo{URL: "http://127.0.0.1:1/awsenv/credentials", Token: "t"}, nil
	}}
	in := &ServerInput{Credentials: profiles.Credentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "s"}}
	resp, err := serveOne(context.Background(), Request{CredentialServer: in}, h)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Server == nil || resp.Server.Token != "t" || got.AccessKeyID != "ASIAEXAMPLE" {
		t.Errorf("answer %+v, handler got %q", resp.Server, got.AccessKeyID)
	}
	resp, err = serveOne(context.Background(), Request{CredentialServer: in}, Handlers{})
	if err != nil {
		t.Fatal(err)
	}
	if resp.TransportError == nil || resp.TransportError.Message != errNoServer.Error() {
		t.Errorf("without a server: %+v", resp)
	}
}
