package benchmarks_test

import (
	"encoding/base64"
	"strconv"
	"time"
)

// fixedJWT is shaped like a Clerk template token with the given lifetime;
// getToken clients never verify what Clerk returns.
func fixedJWT(iat, exp time.Time) string {
	payload := `{"iat":` + strconv.FormatInt(iat.Unix(), 10) + `,"exp":` + strconv.FormatInt(exp.Unix(), 10) + `,"sub":"user_1"}`
	return "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".c2lnbmF0dXJl"
}
