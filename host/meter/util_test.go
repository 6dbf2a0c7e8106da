package meter

import (
	"crypto/sha256"
	"time"
)

var zeroTime time.Time

// valueTypeV128 is the v128 value type byte (wazero's api has no constant).
const valueTypeV128 = 0x7b

func sha256Of(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}
