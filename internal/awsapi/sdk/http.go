package sdk

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"

	"github.com/awsenv/awsenv/internal/awsapi"
)

// Network holds the deadlines of every HTTP call awsenv makes (the SDK
// clients' and the federation endpoint's), set here and nowhere else. A
// call that meets one fails with an *awsapi.TransportError.
type Network struct {
	Connect        time.Duration // to open the TCP connection
	TLSHandshake   time.Duration // for the TLS handshake after it
	ResponseHeader time.Duration // from the request sent to the answer's headers
	// Call bounds a whole call, its retries and pages included; the
	// caller's context may end it sooner.
	Call time.Duration
}

// DefaultNetwork is the deadlines awsenv uses: generous for a slow link
// (AWS answers in well under a second), short enough that a black-holed
// endpoint, proxy or firewall gives an error to act on instead of a hang.
var DefaultNetwork = Network{
	Connect:        10 * time.Second,
	TLSHandshake:   10 * time.Second,
	ResponseHeader: 20 * time.Second,
	Call:           30 * time.Second,
}

// network is w.Network with DefaultNetwork's values for its zero fields.
func (w World) network() Network {
	n, d := w.Network, DefaultNetwork
	if n.Connect <= 0 {
		n.Connect = d.Connect
	}
	if n.TLSHandshake <= 0 {
		n.TLSHandshake = d.TLSHandshake
	}
	if n.ResponseHeader <= 0 {
		n.ResponseHeader = d.ResponseHeader
	}
	if n.Call <= 0 {
		n.Call = d.Call
	}
	return n
}

// Bound bounds one call by the Network's Call deadline (every client
// method starts with it).
func (w World) Bound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, w.network().Call)
}

// configure sets tr's deadlines and trusted certificates (nil: the
// system's).
func (n Network) configure(tr *http.Transport, roots *x509.CertPool) {
	tr.DialContext = (&net.Dialer{Timeout: n.Connect, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = n.TLSHandshake
	tr.ResponseHeaderTimeout = n.ResponseHeader
	if tr.TLSClientConfig == nil {
		tr.TLSClientConfig = &tls.Config{}
	} else {
		tr.TLSClientConfig = tr.TLSClientConfig.Clone()
	}
	tr.TLSClientConfig.MinVersion = tls.VersionTLS12
	tr.TLSClientConfig.RootCAs = roots
}

// bundle is the CA bundle calls for t trust: AWS_CA_BUNDLE's (read
// through Getenv), else the profile's ca_bundle, else "" for the system's
// certificates, as the SDKs order them; what and fix name it in errors.
func (w World) bundle(t awsapi.Target) (path, what, fix string) {
	path, what, fix = w.getenv("AWS_CA_BUNDLE"), "AWS_CA_BUNDLE", "Point AWS_CA_BUNDLE at a PEM file, or unset it."
	if path == "" {
		path, what, fix = t.Endpoints.CABundle, "the ca_bundle of profile "+t.Profile, "Fix the path in ca_bundle, or remove it to use the system's certificates."
	}
	return path, what, fix
}

// roots is the certificate pool of the bundle calls for t trust, nil for
// the system's. op names the call in errors.
func (w World) roots(op string, t awsapi.Target) (*x509.CertPool, error) {
	path, what, fix := w.bundle(t)
	if path == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, &awsapi.TransportError{Operation: op, Message: fmt.Sprintf("read %s: %v. %s", what, err, fix)}
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, &awsapi.TransportError{Operation: op, Message: fmt.Sprintf("%s (%s) holds no PEM certificate. %s", what, path, fix)}
	}
	return pool, nil
}

// SDKHTTPClient is the HTTP client of an SDK call for t: the SDK's own
// (it follows only 307 and 308 redirects, as AWS's protocols expect) with
// the Network's deadlines and the trusted certificates of roots. op names
// the call in errors.
func (w World) SDKHTTPClient(op string, t awsapi.Target) (*awshttp.BuildableClient, error) {
	pool, err := w.roots(op, t)
	if err != nil {
		return nil, err
	}
	n := w.network()
	return awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) { n.configure(tr, pool) }), nil
}

// sharedClients are the frozen HTTP clients of SDK calls, one for each CA
// bundle and set of deadlines, kept for the life of the process: a cold
// `use` makes GetSessionToken and AssumeRole one after the other, to the
// same endpoint, and one transport keeps the connection between them (one
// TLS handshake, where a client per call made two).
var sharedClients struct {
	sync.Mutex
	m map[sharedKey]aws.HTTPClient
}

type sharedKey struct {
	bundle string
	n      Network
}

// sharedSDKClient is SDKHTTPClient's client for t, frozen (so that the
// SDK's defaults modes cannot change its deadlines) and shared by every
// call that trusts the same bundle under the same deadlines.
func (w World) sharedSDKClient(op string, t awsapi.Target) (aws.HTTPClient, error) {
	path, _, _ := w.bundle(t)
	key := sharedKey{path, w.network()}
	sharedClients.Lock()
	defer sharedClients.Unlock()
	if c, ok := sharedClients.m[key]; ok {
		return c, nil
	}
	hc, err := w.SDKHTTPClient(op, t)
	if err != nil {
		return nil, err
	}
	if sharedClients.m == nil {
		sharedClients.m = map[sharedKey]aws.HTTPClient{}
	}
	c := hc.Freeze()
	sharedClients.m[key] = c
	return c, nil
}

// plainHTTPClient is the HTTP client of awsenv's own calls (the
// federation endpoint): Go's default transport with the Network's
// deadlines and the trusted certificates of roots.
func (w World) plainHTTPClient(op string, t awsapi.Target) (*http.Client, error) {
	pool, err := w.roots(op, t)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	w.network().configure(tr, pool)
	return &http.Client{Transport: tr}, nil
}
