package fuzz

import "math/rand/v2"

// interestingBytes are the byte values mutations favour: boundaries, and
// the indices at which the decoder's tables hold their special entries.
var interestingBytes = []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 13, 15, 16, 31, 32, 42, 64, 100, 127, 128, 255}

// mutate returns a mutated copy of e: three times in four one or two of its
// decisions changed to another choice (a different key, value kind,
// number, length or action: the bytes after it keep their meaning), else
// one to four of bit flips, random and interesting bytes, insertions,
// deletions, duplications and a splice with other (another corpus
// input), capped at MaxInput bytes.
func mutate(rng *rand.Rand, e *entry, other []byte) []byte {
	in := e.data
	out := append(make([]byte, 0, len(in)+16), in...)
	if len(e.mods) == len(in) && len(in) > 0 && rng.IntN(4) != 0 {
		var decisions []int
		for i, m := range e.mods {
			if m > 0 && m < 256 {
				decisions = append(decisions, i)
			}
		}
		if len(decisions) > 0 {
			for n := 1 + rng.IntN(2); n > 0; n-- {
				i := decisions[rng.IntN(len(decisions))]
				out[i] = byte(rng.IntN(int(e.mods[i])))
			}
			return out
		}
	}
	for n := 1 + rng.IntN(4); n > 0; n-- {
		if len(out) == 0 {
			out = append(out, byte(rng.Uint32()))
			continue
		}
		i := rng.IntN(len(out))
		switch rng.IntN(9) {
		case 0:
			out[i] ^= 1 << rng.IntN(8)
		case 1:
			out[i] = byte(rng.Uint32())
		case 2:
			out[i] = interestingBytes[rng.IntN(len(interestingBytes))]
		case 3:
			out[i] += byte(1 + rng.IntN(4))
		case 4:
			out[i] -= byte(1 + rng.IntN(4))
		case 5: // insert random bytes
			k := 1 + rng.IntN(8)
			ins := make([]byte, k)
			for j := range ins {
				ins[j] = byte(rng.Uint32())
			}
			out = append(out[:i], append(ins, out[i:]...)...)
		case 6: // delete a range
			k := 1 + rng.IntN(min(8, len(out)-i))
			out = append(out[:i], out[i+k:]...)
		case 7: // duplicate a range
			k := 1 + rng.IntN(min(16, len(out)-i))
			dup := append([]byte(nil), out[i:i+k]...)
			out = append(out[:i], append(dup, out[i:]...)...)
		default: // splice: our head, the other's tail
			if len(other) > 0 {
				j := rng.IntN(len(other))
				out = append(out[:i], other[j:]...)
			} else {
				out = append(out, byte(rng.Uint32()))
			}
		}
	}
	if len(out) > MaxInput {
		out = out[:MaxInput]
	}
	return out
}

// random returns a new random input.
func random(rng *rand.Rand) []byte {
	out := make([]byte, 4+rng.IntN(28))
	for i := range out {
		out[i] = byte(rng.Uint32())
	}
	return out
}
