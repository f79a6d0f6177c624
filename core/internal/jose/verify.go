package jose

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
)

// HashFor maps the accepted algorithms, RS256, RS384 and RS512, to their
// hash; 0 means refused (none, HS*, ES*, PS*: the classic confusions).
func HashFor(alg string) crypto.Hash {
	switch alg {
	case "RS256":
		return crypto.SHA256
	case "RS384":
		return crypto.SHA384
	case "RS512":
		return crypto.SHA512
	}
	return 0
}

// VerifyPKCS1 checks an RSASSA-PKCS1-v1_5 signature over input. The digest
// arrays stay on the stack; crypto/rsa checks the signature length against
// the key. A hash HashFor does not return is refused.
func VerifyPKCS1(pub *rsa.PublicKey, hash crypto.Hash, input string, sig []byte) bool {
	var err error
	switch hash {
	case crypto.SHA256:
		d := sha256.Sum256([]byte(input))
		err = rsa.VerifyPKCS1v15(pub, hash, d[:], sig)
	case crypto.SHA384:
		d := sha512.Sum384([]byte(input))
		err = rsa.VerifyPKCS1v15(pub, hash, d[:], sig)
	case crypto.SHA512:
		d := sha512.Sum512([]byte(input))
		err = rsa.VerifyPKCS1v15(pub, hash, d[:], sig)
	default:
		return false
	}
	return err == nil
}
