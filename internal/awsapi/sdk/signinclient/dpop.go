package signinclient

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"time"
)

// The DPoP proof of a login session's refresh (RFC 9449): only the helper
// signs, so the key parsing and the signature live here, and the front
// links no x509 or ECDSA.

// ParseDPoPKey reads a login session's key: a PEM EC private key on
// P-256, SEC 1 ("EC PRIVATE KEY", as the AWS CLI writes it) or PKCS #8.
func ParseDPoPKey(data string) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(data))
	if block == nil {
		return nil, errors.New("the dpopKey is not a PEM block")
	}
	key, err := x509.ParseECPrivateKey(block.Bytes)
	if err != nil {
		k8, err8 := x509.ParsePKCS8PrivateKey(block.Bytes)
		ek, ok := k8.(*ecdsa.PrivateKey)
		if err8 != nil || !ok {
			return nil, fmt.Errorf("the dpopKey is not an EC private key: %w", err)
		}
		key = ek
	}
	if key.Curve != elliptic.P256() {
		return nil, fmt.Errorf("the dpopKey is on %s, not P-256", key.Curve.Params().Name)
	}
	return key, nil
}

// DPoPProof is the DPoP header of a POST to htu (RFC 9449), as botocore
// and the Go SDK make it: a JWT with typ dpop+jwt, alg ES256 and the
// public key as jwk in its header; htm, htu, iat (now, in seconds) and a
// fresh random jti in its body; signed with key, the signature r||s.
func DPoPProof(key *ecdsa.PrivateKey, htu string, now time.Time) (string, error) {
	pub, err := key.PublicKey.ECDH()
	if err != nil {
		return "", fmt.Errorf("dpop key: %w", err)
	}
	pt := pub.Bytes() // 0x04 || X || Y, each 32 bytes
	b64 := base64.RawURLEncoding.EncodeToString
	header, err := json.Marshal(map[string]any{"typ": "dpop+jwt", "alg": "ES256",
		"jwk": map[string]string{"kty": "EC", "x": b64(pt[1:33]), "y": b64(pt[33:]), "crv": "P-256"}})
	if err != nil {
		return "", err
	}
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return "", err
	}
	id[6] = id[6]&0x0f | 0x40 // a version 4 UUID, as the SDKs send
	id[8] = id[8]&0x3f | 0x80
	h := hex.EncodeToString(id[:])
	jti := h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
	payload, err := json.Marshal(map[string]any{"htm": "POST", "htu": htu, "iat": now.Unix(), "jti": jti})
	if err != nil {
		return "", err
	}
	msg := b64(header) + "." + b64(payload)
	sum := sha256.Sum256([]byte(msg))
	r, s, err := ecdsa.Sign(rand.Reader, key, sum[:])
	if err != nil {
		return "", fmt.Errorf("sign the dpop proof: %w", err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return msg + "." + b64(sig), nil
}
