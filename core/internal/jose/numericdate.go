package jose

import (
	"math"
	"strconv"

	"github.com/clerkkit/clerkkit/core/internal/strictjson"
)

// maxSeconds keeps times far from int64 overflow once in milliseconds (the
// year 300 000 or so; no real token comes close).
const maxSeconds = 1e13

// NumericDateMillis converts a JSON number of seconds (a NumericDate, RFC
// 7519: a fraction is allowed) to Unix milliseconds, the precision at which
// Clerk compares times. kind and raw are what strictjson's Next returned;
// false means not a number, or one too far from now to be a date.
func NumericDateMillis(kind strictjson.Kind, raw string) (int64, bool) {
	if kind != strictjson.Number {
		return 0, false
	}
	if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
		if n > maxSeconds || n < -maxSeconds {
			return 0, false
		}
		return n * 1000, true
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsNaN(f) || f > maxSeconds || f < -maxSeconds {
		return 0, false
	}
	return int64(math.Floor(f * 1000)), true
}
