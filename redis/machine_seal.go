package clerkredis

import (
	"crypto/rand"
	"encoding/binary"
	"time"
)

// A stored machine token answer, and a shared M2M token (m2m.go), is
//
//	version (1) | until, Unix ms (8) | nonce (12) | AES-GCM(plaintext)
//
// sealed with the same derived key as tokens, but with a label of its
// kind, the Redis key, the store's key (the core's) and the header as
// associated data: a value moved to another key, one whose until was
// edited, and a value of another kind copied in all fail to open. The
// plaintext is the value exactly as the core handed it over.
const (
	machineAADLabel        = "clerkkit redis machine tokens v1"
	m2mAADLabel            = "clerkkit redis m2m tokens v1"
	machineEnvelopeVersion = 1
	machineHeaderLen       = 1 + 8
)

func (k keys) sealUntil(label, redisKey, storeKey string, until time.Time, answer []byte) []byte {
	nonceSize := k.aead.NonceSize()
	out := make([]byte, machineHeaderLen+nonceSize, machineHeaderLen+nonceSize+len(answer)+k.aead.Overhead())
	out[0] = machineEnvelopeVersion
	binary.BigEndian.PutUint64(out[1:machineHeaderLen], uint64(until.UnixMilli()))
	nonce := out[machineHeaderLen:]
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails
	return k.aead.Seal(out, nonce, answer, sealedAAD(label, redisKey, storeKey, out[:machineHeaderLen]))
}

// openUntil authenticates a value sealed with label and returns the
// plaintext and the time after which it must not be served.
func (k keys) openUntil(label, redisKey, storeKey string, value []byte) (answer []byte, until time.Time, err error) {
	nonceSize := k.aead.NonceSize()
	if len(value) < machineHeaderLen+nonceSize+k.aead.Overhead() || value[0] != machineEnvelopeVersion {
		return nil, time.Time{}, errBadValue
	}
	nonce := value[machineHeaderLen : machineHeaderLen+nonceSize]
	answer, err = k.aead.Open(nil, nonce, value[machineHeaderLen+nonceSize:], sealedAAD(label, redisKey, storeKey, value[:machineHeaderLen]))
	if err != nil {
		return nil, time.Time{}, errBadValue
	}
	return answer, time.UnixMilli(int64(binary.BigEndian.Uint64(value[1:machineHeaderLen]))), nil
}

func sealedAAD(label, redisKey, storeKey string, hdr []byte) []byte {
	b := append([]byte(label), 0)
	b = binary.AppendUvarint(b, uint64(len(redisKey)))
	b = append(b, redisKey...)
	b = binary.AppendUvarint(b, uint64(len(storeKey)))
	b = append(b, storeKey...)
	return append(b, hdr...)
}
