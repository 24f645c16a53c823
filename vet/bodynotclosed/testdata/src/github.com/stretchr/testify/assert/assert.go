// Package assert is a stand-in for testify's: assertions that report to t
// and return whether they held.
package assert

// TestingT is what the assertions report to.
type TestingT interface {
	Errorf(format string, args ...any)
}

// NoError is true where err is nil.
func NoError(t TestingT, err error, msgAndArgs ...any) bool {
	if err != nil {
		t.Errorf("unexpected error: %v", err)
		return false
	}
	return true
}

// Nil is true where object is nil.
func Nil(t TestingT, object any, msgAndArgs ...any) bool {
	if object != nil {
		t.Errorf("expected nil: %v", object)
		return false
	}
	return true
}

// Error is true where err is not nil.
func Error(t TestingT, err error, msgAndArgs ...any) bool {
	if err == nil {
		t.Errorf("an error is expected")
		return false
	}
	return true
}

// Equal is true where the two are equal.
func Equal(t TestingT, expected, actual any, msgAndArgs ...any) bool {
	if expected != actual {
		t.Errorf("not equal: %v, %v", expected, actual)
		return false
	}
	return true
}

// Assertions are the assertions bound to one t.
type Assertions struct{ t TestingT }

// New binds the assertions to t.
func New(t TestingT) *Assertions { return &Assertions{t} }

// NoError is true where err is nil.
func (a *Assertions) NoError(err error, msgAndArgs ...any) bool {
	return NoError(a.t, err, msgAndArgs...)
}
