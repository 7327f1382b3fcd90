package sessions

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"path/filepath"
	"time"
)

// lastCode is the last MFA code AWS accepted for one device. A TOTP code is
// useless after its 30-second window, so this holds no secret; it lets
// awsenv wait for the next code instead of sending one AWS would refuse as
// reused.
type lastCode struct {
	Serial   string    `json:"serial"`
	Code     string    `json:"code"`
	Accepted time.Time `json:"accepted"`
}

func (s *Store) lastCodePath(serial string) string {
	h := fnv.New64a()
	h.Write([]byte(serial))
	return filepath.Join(s.Dir, fmt.Sprintf("mfa-%016x.code", h.Sum64()))
}

// LastCode returns the code last accepted for serial and when, or "" when
// none is known.
func (s *Store) LastCode(serial string) (string, time.Time) {
	data, err := readPrivate(s.lastCodePath(serial), MaxLastCodeSize)
	if err != nil {
		return "", time.Time{}
	}
	var lc lastCode
	if json.Unmarshal(data, &lc) != nil || lc.Serial != serial {
		return "", time.Time{}
	}
	return lc.Code, lc.Accepted
}

// SaveLastCode remembers the code AWS just accepted for serial. Failing to
// remember costs at most one refused code later, so errors are returned
// for the caller to mention, not to stop on.
func (s *Store) SaveLastCode(serial, code string, at time.Time) error {
	data, err := json.Marshal(lastCode{Serial: serial, Code: code, Accepted: at})
	if err != nil {
		return err
	}
	return writeAtomic(s.lastCodePath(serial), data)
}
