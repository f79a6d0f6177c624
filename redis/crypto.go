package clerkredis

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

// Labels of the derived keys. The instance goes into HKDF's info, so two
// instances never share a key even with one secret.
// v2 (random, authenticated generations; the JWT alone as plaintext) lives
// in other key names than v1: the two never read each other's values.
const (
	labelEncryption = "clerkkit redis token cache v2: encryption"
	labelNames      = "clerkkit redis token cache v2: key names"
	aadLabel        = "clerkkit redis token cache v2"
)

// keys holds what the secret derives.
type keys struct {
	aead    cipher.AEAD
	nameKey []byte
}

func deriveKeys(secret []byte, instance string) (keys, error) {
	enc, err := hkdf.Key(sha256.New, secret, nil, labelEncryption+"\x00"+instance, 32)
	if err != nil {
		return keys{}, err
	}
	names, err := hkdf.Key(sha256.New, secret, nil, labelNames+"\x00"+instance, 32)
	if err != nil {
		return keys{}, err
	}
	block, err := aes.NewCipher(enc)
	if err != nil {
		return keys{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return keys{}, err
	}
	return keys{aead: aead, nameKey: names}, nil
}

// mac is HMAC-SHA256 under the name key, truncated to n bytes and hex
// encoded: names an observer of Redis can neither reverse nor test a guessed
// session ID against.
func (k keys) mac(n int, parts ...[]byte) string {
	return hex.EncodeToString(k.macBytes(n, parts...))
}

func (k keys) macBytes(n int, parts ...[]byte) []byte {
	h := hmac.New(sha256.New, k.nameKey)
	for _, p := range parts {
		h.Write(binary.AppendUvarint(nil, uint64(len(p))))
		h.Write(p)
	}
	return h.Sum(nil)[:n]
}

// A session's generation is 16 random bytes followed by their 16-byte HMAC
// under the name key, bound to the generation's Redis key; Redis holds it
// hex encoded. Random, so that no value sealed under an earlier generation
// can become valid by a later one being guessed, lowered or deleted;
// authenticated, so that a generation written into Redis by anyone without
// the secret is never sealed under (see checkGeneration).
const generationLen = 32

type generation [generationLen]byte

func (g generation) String() string { return hex.EncodeToString(g[:]) }

func (k keys) newGeneration(genKey string) generation {
	var g generation
	_, _ = rand.Read(g[:16]) // crypto/rand.Read never fails
	copy(g[16:], k.macBytes(16, []byte("generation"), []byte(genKey), g[:16]))
	return g
}

// checkGeneration parses a generation read from genKey and reports whether
// this cache's secret made it for that key.
func (k keys) checkGeneration(genKey, s string) (generation, bool) {
	var g generation
	if hex.DecodedLen(len(s)) != generationLen {
		return g, false
	}
	if _, err := hex.Decode(g[:], []byte(s)); err != nil {
		return g, false
	}
	return g, hmac.Equal(g[16:], k.macBytes(16, []byte("generation"), []byte(genKey), g[:16]))
}

// encodeKey is the unambiguous byte form of a TokenKey, for hashing and as
// associated data.
func encodeKey(k clerk.TokenKey) []byte {
	b := binary.AppendUvarint(nil, uint64(len(k.SessionID)))
	b = append(b, k.SessionID...)
	b = binary.AppendUvarint(b, uint64(len(k.Template)))
	b = append(b, k.Template...)
	return binary.AppendVarint(b, int64(k.ExpiresInSeconds))
}

// A stored value is
//
//	version (1) | generation (32) | fresh until, Unix ms (8) | nonce (12) | AES-GCM(JWT)
//
// with the header, the Redis key and the TokenKey as associated data: a
// value copied to another key, or whose generation or freshness was
// edited, fails to open. The plaintext is the JWT alone, not a form of
// clerk.Token, whose encodings are the core's to change.
const (
	envelopeVersion = 2
	headerLen       = 1 + generationLen + 8
)

var errBadValue = errors.New("clerkredis: cached value failed authentication")

type envelope struct {
	generation generation
	freshUntil time.Time
}

func (k keys) seal(redisKey string, key clerk.TokenKey, e envelope, plaintext []byte) []byte {
	nonceSize := k.aead.NonceSize()
	out := make([]byte, headerLen+nonceSize, headerLen+nonceSize+len(plaintext)+k.aead.Overhead())
	out[0] = envelopeVersion
	copy(out[1:1+generationLen], e.generation[:])
	binary.BigEndian.PutUint64(out[1+generationLen:headerLen], uint64(e.freshUntil.UnixMilli()))
	nonce := out[headerLen:]
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails
	return k.aead.Seal(out, nonce, plaintext, aad(redisKey, key, out[:headerLen]))
}

// header reads the unauthenticated header; open must still succeed before
// any of it is trusted.
func header(value []byte) (envelope, bool) {
	if len(value) < headerLen || value[0] != envelopeVersion {
		return envelope{}, false
	}
	e := envelope{freshUntil: time.UnixMilli(int64(binary.BigEndian.Uint64(value[1+generationLen : headerLen])))}
	copy(e.generation[:], value[1:1+generationLen])
	return e, true
}

func (k keys) open(redisKey string, key clerk.TokenKey, value []byte) ([]byte, error) {
	nonceSize := k.aead.NonceSize()
	if len(value) < headerLen+nonceSize+k.aead.Overhead() || value[0] != envelopeVersion {
		return nil, errBadValue
	}
	nonce := value[headerLen : headerLen+nonceSize]
	plain, err := k.aead.Open(nil, nonce, value[headerLen+nonceSize:], aad(redisKey, key, value[:headerLen]))
	if err != nil {
		return nil, errBadValue
	}
	return plain, nil
}

func aad(redisKey string, key clerk.TokenKey, hdr []byte) []byte {
	b := append([]byte(aadLabel), 0)
	b = binary.AppendUvarint(b, uint64(len(redisKey)))
	b = append(b, redisKey...)
	b = append(b, encodeKey(key)...)
	return append(b, hdr...)
}
