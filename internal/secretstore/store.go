package secretstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/99designs/keyring"
)

// Item names awsenv uses. Long-term keys are ProfilePrefix+NAME, holding
// LongTermKey's JSON; the data key of the encrypted session cache is
// SessionKeyItem.
const (
	ProfilePrefix  = "profile:"
	SessionKeyItem = "awsenv:session-key"
	ServiceName    = "awsenv"
)

// The backends, by the library's names.
const (
	SecretService = string(keyring.SecretServiceBackend)
	KWallet       = string(keyring.KWalletBackend)
	Keychain      = string(keyring.KeychainBackend)
	WinCred       = string(keyring.WinCredBackend)
	Pass          = string(keyring.PassBackend)
	KeyCtl        = string(keyring.KeyCtlBackend)
	File          = string(keyring.FileBackend)
)

// Backends are every name Config.Backend takes.
var Backends = []string{SecretService, KWallet, Keychain, WinCred, Pass, KeyCtl, File}

// DefaultTimeout bounds one operation: a desktop keyring may show an
// unlock prompt, and a person may take a while to answer it, but a prompt
// nobody can see must not hang awsenv.
const DefaultTimeout = 2 * time.Minute

// Config says which store to open and how.
type Config struct {
	// Backend is the library's name of the backend; "" is this system's
	// default (Default).
	Backend string
	// Fallback is the backend when Backend is "" and the system has no
	// default (Linux without a D-Bus session): for items awsenv can make
	// again, such as the data key of sealed sessions; "" keeps the error.
	Fallback string
	// ServiceName names awsenv's items where the backend has the idea
	// (the kernel keyring's named keyring, KWallet's folder, the keychain
	// service, the Windows credential prefix); "awsenv" when empty.
	ServiceName string
	// FileDir is the file backend's directory (made 0700).
	FileDir string
	// Passphrase gives the file backend's passphrase; Confirm, when set,
	// is asked as well before the first item of a new file store is
	// written, and must give the same (a typo would otherwise lock the
	// key away).
	Passphrase func() (string, error)
	Confirm    func() (string, error)
	// PassDir and PassPrefix are the pass backend's store directory
	// ("" : PASSWORD_STORE_DIR or ~/.password-store) and the folder of
	// awsenv's items in it ("awsenv" when empty); PassCmd its program.
	PassDir, PassPrefix, PassCmd string
	// Collection is the Secret Service collection: "login" when empty,
	// the collection a desktop session unlocks at login. A collection of
	// its own would need a prompt to create, which a headless session
	// cannot show.
	Collection string
	// KeychainName is the macOS keychain ("" : the login keychain).
	KeychainName string
	// Getenv reads the environment, for the default backend's D-Bus probe
	// (nil: os.Getenv).
	Getenv func(string) string
	// Timeout bounds each operation (0: DefaultTimeout).
	Timeout time.Duration

	awsVault bool // aws-vault's store (AWSVaultConfig): its pass items have no prefix
}

// Store is one opened secret store.
type Store interface {
	// Get returns an item's data; a missing item is an *Error of
	// KindNotFound.
	Get(key string) ([]byte, error)
	// Set writes an item, replacing one of the same key.
	Set(key string, data []byte, label string) error
	// Remove deletes an item; a missing one is KindNotFound.
	Remove(key string) error
	// Keys lists the items' keys, sorted.
	Keys() ([]string, error)
	// Backend is the library's name of the backend in use.
	Backend() string
}

// Default is this system's backend when none is chosen: the Secret
// Service on Linux and the BSDs when a D-Bus session bus is there, the
// Keychain on macOS, the Credential Manager on Windows. Without a session
// bus there is no default: awsenv never picks the file or kernel keyring
// by itself, since a key written there would be missing from the desktop
// keyring the next time a bus is there (and the reverse); the error says
// how to choose one.
func Default(getenv func(string) string) (string, error) {
	switch runtime.GOOS {
	case "darwin":
		return Keychain, nil
	case "windows":
		return WinCred, nil
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	if !sessionBus(getenv) {
		return "", &Error{Kind: KindNoSession, Backend: SecretService, Op: "choose a backend",
			Fix: "Run awsenv in a desktop session (or start one: dbus-run-session), or choose another store: " +
				"AWSENV_KEYRING_BACKEND=file (an encrypted file; the passphrase is asked on the terminal or read from AWSENV_KEYRING_PASSPHRASE), " +
				"pass, or keyctl (the kernel keyring, which forgets at logout), or awsenv_keyring_backend = NAME in awsenv's config"}
	}
	return SecretService, nil
}

// sessionBus reports whether a D-Bus session bus can be found the way the
// library looks for one, without starting one: godbus would run
// dbus-launch, which leaves a daemon behind.
func sessionBus(getenv func(string) string) bool {
	if addr := getenv("DBUS_SESSION_BUS_ADDRESS"); addr != "" {
		// "disabled:..." is awsenv-helper's "no bus" (helper.NoBusAddress).
		return !strings.HasPrefix(addr, "disabled:")
	}
	dir := getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		dir = fmt.Sprintf("/run/user/%d", os.Getuid())
	}
	fi, err := os.Stat(filepath.Join(dir, "bus"))
	return err == nil && fi.Mode()&os.ModeSocket != 0
}

// Open opens the store cfg names. A backend that cannot be opened is an
// *Error saying why and how to choose another.
func Open(cfg Config) (Store, error) {
	if cfg.ServiceName == "" {
		cfg.ServiceName = ServiceName
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Getenv == nil {
		cfg.Getenv = os.Getenv
	}
	name := cfg.Backend
	if name == "" {
		var err error
		if name, err = Default(cfg.Getenv); err != nil {
			if cfg.Fallback == "" {
				return nil, err
			}
			name = cfg.Fallback
		}
	}
	fail := func(kind Kind, err error, fix string) (Store, error) {
		return nil, &Error{Kind: kind, Backend: name, Op: "open", Err: err, Fix: fix}
	}
	known := false
	for _, b := range Backends {
		known = known || b == name
	}
	if !known {
		return fail(KindUnavailable, fmt.Errorf("unknown backend %q", name),
			"Set AWSENV_KEYRING_BACKEND (or awsenv_keyring_backend in awsenv's config) to one of "+strings.Join(Backends, ", "))
	}
	if !available(name) {
		return fail(KindUnavailable, fmt.Errorf("%s is not available on %s in this build (available: %s)", name, runtime.GOOS, strings.Join(availableNames(), ", ")),
			"Choose one of those with AWSENV_KEYRING_BACKEND or awsenv_keyring_backend in awsenv's config")
	}
	if (name == SecretService || name == KWallet) && !sessionBus(cfg.Getenv) {
		return fail(KindNoSession, nil, "Run awsenv in a desktop session (DBUS_SESSION_BUS_ADDRESS set), or choose a backend without D-Bus: AWSENV_KEYRING_BACKEND=file, pass or keyctl")
	}
	kc := keyring.Config{
		AllowedBackends:         []keyring.BackendType{keyring.BackendType(name)},
		ServiceName:             cfg.ServiceName,
		KeychainName:            cfg.KeychainName,
		FileDir:                 cfg.FileDir,
		KeyCtlScope:             "user",
		KeyCtlPerm:              keyctlPerm,
		KWalletAppID:            cfg.ServiceName,
		KWalletFolder:           cfg.ServiceName,
		LibSecretCollectionName: cfg.Collection,
		PassDir:                 cfg.PassDir,
		PassCmd:                 cfg.PassCmd,
		PassPrefix:              cfg.PassPrefix,
		WinCredPrefix:           cfg.ServiceName,
	}
	if kc.LibSecretCollectionName == "" {
		kc.LibSecretCollectionName = "login"
	}
	if name == Pass && kc.PassPrefix == "" && !cfg.awsVault {
		kc.PassPrefix = cfg.ServiceName
	}
	var fs *fileStore
	if name == File {
		if cfg.FileDir == "" {
			return fail(KindFailed, errors.New("no directory"), "This is a bug in awsenv: the file backend was opened without its directory")
		}
		if err := os.MkdirAll(cfg.FileDir, 0o700); err != nil {
			return fail(KindFailed, err, fmt.Sprintf("Check that %s can be created by you", cfg.FileDir))
		}
		fs = &fileStore{dir: cfg.FileDir, passphrase: cfg.Passphrase, confirm: cfg.Confirm}
		kc.FilePasswordFunc = fs.prompt
	}
	var kr keyring.Keyring
	err := within(cfg.Timeout, func() error {
		var err error
		kr, err = keyring.Open(kc)
		return err
	})
	if err != nil {
		return nil, classify(name, "open", err)
	}
	s := &store{kr: kr, backend: name, timeout: cfg.Timeout, file: fs}
	if fs != nil {
		fs.kr = kr
	}
	return s, nil
}

// available reports whether this build of the library has the backend.
// The Secret Service and KWallet register only when a session bus
// answered as the library initialised; they are checked for a bus apart.
func available(name string) bool {
	if name == SecretService || name == KWallet {
		return runtime.GOOS == "linux"
	}
	for _, b := range keyring.AvailableBackends() {
		if string(b) == name {
			return true
		}
	}
	return false
}

func availableNames() []string {
	var out []string
	for _, b := range keyring.AvailableBackends() {
		out = append(out, string(b))
	}
	if runtime.GOOS == "linux" && !strings.Contains(strings.Join(out, " "), SecretService) {
		out = append([]string{SecretService, KWallet}, out...)
	}
	return out
}

// store is an opened keyring with awsenv's error kinds and timeout.
type store struct {
	kr      keyring.Keyring
	backend string
	timeout time.Duration
	file    *fileStore // set for the file backend
}

func (s *store) Backend() string { return s.backend }

func (s *store) Get(key string) ([]byte, error) {
	var it keyring.Item
	err := within(s.timeout, func() error {
		var err error
		it, err = s.kr.Get(key)
		return err
	})
	if err != nil {
		if s.file != nil && !errors.Is(err, keyring.ErrKeyNotFound) {
			err = s.file.decryptError(err)
		}
		return nil, classify(s.backend, "get "+key, err)
	}
	return it.Data, nil
}

func (s *store) Set(key string, data []byte, label string) error {
	if s.file != nil {
		if err := s.file.checkPassphrase(); err != nil {
			return classify(s.backend, "set "+key, err)
		}
	}
	err := within(s.timeout, func() error {
		return s.kr.Set(keyring.Item{Key: key, Data: data, Label: label, Description: "awsenv",
			KeychainNotTrustApplication: false})
	})
	if err != nil {
		return classify(s.backend, "set "+key, err)
	}
	return nil
}

func (s *store) Remove(key string) error {
	err := within(s.timeout, func() error { return s.kr.Remove(key) })
	if err != nil {
		return classify(s.backend, "remove "+key, err)
	}
	return nil
}

func (s *store) Keys() ([]string, error) {
	var keys []string
	err := within(s.timeout, func() error {
		var err error
		keys, err = s.kr.Keys()
		return err
	})
	if err != nil {
		return nil, classify(s.backend, "list", err)
	}
	if s.file != nil {
		keys = s.file.items(keys)
	}
	sort.Strings(keys)
	return keys, nil
}

// errTimeout is an operation that did not finish in time.
var errTimeout = errors.New("no answer in time")

// within runs f, giving up after d: a Secret Service waiting on an unlock
// prompt nobody can see never answers. The goroutine is left to finish
// on its own; the helper exits soon after.
func within(d time.Duration, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return fmt.Errorf("%w (%s): an unlock prompt may be waiting where nobody can see it", errTimeout, d)
	}
}

// classify turns a backend's error into an *Error of the right kind.
func classify(backend, op string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		if e.Backend == "" {
			e.Backend = backend
		}
		if e.Op == "" {
			e.Op = op
		}
		return e
	}
	out := &Error{Kind: KindFailed, Backend: backend, Op: op, Err: err}
	msg := strings.ToLower(err.Error())
	switch {
	case errors.Is(err, keyring.ErrKeyNotFound):
		out.Kind, out.Err = KindNotFound, nil
		out.Fix = "Add it with `awsenv keys add PROFILE` or `awsenv keys import PROFILE`"
	case errors.Is(err, keyring.ErrNoAvailImpl):
		out.Kind = KindUnavailable
		out.Fix = fmt.Sprintf("Check that the %s backend works here (%s), or choose another with AWSENV_KEYRING_BACKEND", backend, hint(backend))
	case errors.Is(err, errTimeout), strings.Contains(msg, "locked"), strings.Contains(msg, "prompt"),
		strings.Contains(msg, "object does not exist at path"), strings.Contains(msg, "dismissed"):
		out.Kind = KindLocked
		out.Fix = fmt.Sprintf("Unlock the keyring (%s) and run the command again", hint(backend))
	case strings.Contains(msg, "dbus") || strings.Contains(msg, "d-bus"):
		out.Kind = KindNoSession
		out.Fix = "Check that a D-Bus session bus runs (DBUS_SESSION_BUS_ADDRESS), or choose a backend without D-Bus: AWSENV_KEYRING_BACKEND=file, pass or keyctl"
	default:
		out.Fix = fmt.Sprintf("Check the %s backend (%s), or choose another with AWSENV_KEYRING_BACKEND", backend, hint(backend))
	}
	return out
}

// hint says how a person checks a backend by hand.
func hint(backend string) string {
	switch backend {
	case SecretService:
		return "secret-tool, or your desktop's keyring manager (Seahorse, KWallet)"
	case KWallet:
		return "kwalletmanager"
	case Keychain:
		return "Keychain Access"
	case WinCred:
		return "Credential Manager"
	case Pass:
		return "`pass ls`, and that gpg can decrypt with your key"
	case KeyCtl:
		return "`keyctl show @u`"
	case File:
		return "the passphrase, AWSENV_KEYRING_PASSPHRASE"
	}
	return backend
}
