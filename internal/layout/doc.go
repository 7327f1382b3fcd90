// Package layout holds no code: its tests check the shape of the house,
// the rules of dependency direction that no compiler enforces (the front
// binary links no SDK; test-only packages are imported only by tests).
package layout
