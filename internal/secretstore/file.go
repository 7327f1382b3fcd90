package secretstore

import (
	"errors"
	"strings"
	"sync"

	"github.com/99designs/keyring"
)

// fileStore is what awsenv adds to the library's encrypted-file backend
// (JWE, PBES2 with AES-GCM, one file per item): the passphrase asked once
// a run, checked against an item already there before a new one is
// written with it, and confirmed when the store is new.
type fileStore struct {
	dir        string
	passphrase func() (string, error)
	confirm    func() (string, error)
	kr         keyring.Keyring

	mu      sync.Mutex
	pw      string
	asked   bool
	checked bool
}

// ErrPassphraseMismatch is a new file store whose passphrase and its
// confirmation differ.
var ErrPassphraseMismatch = errors.New("the two passphrases differ")

// prompt is the library's FilePasswordFunc.
func (f *fileStore) prompt(string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.get()
}

func (f *fileStore) get() (string, error) {
	if f.asked {
		return f.pw, nil
	}
	if f.passphrase == nil {
		return "", &Error{Kind: KindNoPassphrase, Backend: File, Op: "unlock",
			Fix: "Run the command in a terminal, or set AWSENV_KEYRING_PASSPHRASE"}
	}
	pw, err := f.passphrase()
	if err != nil {
		return "", err
	}
	if pw == "" {
		return "", &Error{Kind: KindNoPassphrase, Backend: File, Op: "unlock", Err: errors.New("the passphrase is empty"),
			Fix: "Give a passphrase: an empty one would encrypt nothing worth the name"}
	}
	f.pw, f.asked = pw, true
	return pw, nil
}

// checkPassphrase makes sure a new item is written with the passphrase
// that opens the others: one of them must decrypt; with none there yet,
// the passphrase is confirmed (when Confirm is set).
func (f *fileStore) checkPassphrase() error {
	f.mu.Lock()
	checked := f.checked
	f.mu.Unlock()
	if checked {
		return nil
	}
	keys, err := f.kr.Keys()
	if err != nil {
		return err
	}
	keys = f.items(keys)
	if len(keys) > 0 {
		// One item that opens is enough: another may be damaged (a write
		// cut short by a kill).
		var firstErr error
		for _, k := range keys {
			_, err := f.kr.Get(k)
			if err == nil {
				firstErr = nil
				break
			}
			if firstErr == nil {
				firstErr = err
			}
		}
		if firstErr != nil {
			return f.decryptError(firstErr)
		}
	} else {
		f.mu.Lock()
		pw, err := f.get()
		if err == nil && f.confirm != nil {
			var again string
			if again, err = f.confirm(); err == nil && again != pw {
				f.asked, f.pw = false, ""
				err = &Error{Kind: KindWrongPassphrase, Backend: File, Op: "create the store", Err: ErrPassphraseMismatch,
					Fix: "Run the command again and type the same passphrase twice"}
			}
		}
		f.mu.Unlock()
		if err != nil {
			return err
		}
	}
	f.mu.Lock()
	f.checked = true
	f.mu.Unlock()
	return nil
}

// decryptError is a failed Get of an item that exists: its passphrase
// did not open it (jose2go's "aes.KeyUnwrap(): ..." and the like).
func (f *fileStore) decryptError(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	msg := strings.ToLower(err.Error())
	if strings.Contains(msg, "unwrap") || strings.Contains(msg, "integrity") || strings.Contains(msg, "decrypt") ||
		strings.Contains(msg, "invalid") || strings.Contains(msg, "jwe") || strings.Contains(msg, "authentication") {
		// A wrong passphrase is asked again next time.
		f.mu.Lock()
		f.asked, f.pw, f.checked = false, "", false
		f.mu.Unlock()
		return &Error{Kind: KindWrongPassphrase, Backend: File, Err: err,
			Fix: "Run the command again with the passphrase you chose for " + f.dir + " (AWSENV_KEYRING_PASSPHRASE, or typed on the terminal)"}
	}
	return err
}

// items drops what is not an item from the directory's listing: the
// library lists every file, and editors or a crash may leave others.
func (f *fileStore) items(keys []string) []string {
	out := keys[:0]
	for _, k := range keys {
		if strings.HasPrefix(k, ".") || strings.HasSuffix(k, ".tmp") || strings.HasSuffix(k, "~") {
			continue
		}
		out = append(out, k)
	}
	return out
}
