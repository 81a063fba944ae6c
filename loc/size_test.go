package loc

import (
	"testing"
	"unsafe"
)

// A placement holds one Loc per argument byte; keep it at 12 bytes.
func TestLocSize(t *testing.T) {
	if got := unsafe.Sizeof(Loc{}); got != 12 {
		t.Fatalf("unsafe.Sizeof(Loc{}) = %d, want 12", got)
	}
}
