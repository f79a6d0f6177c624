module github.com/clerkkit/clerkkit/benchmarks

go 1.26

require (
	github.com/clerk/clerk-sdk-go/v2 v2.4.2
	github.com/clerkkit/clerkkit/core v0.0.0-00010101000000-000000000000
)

require (
	github.com/go-jose/go-jose/v3 v3.0.4 // indirect
	github.com/hashicorp/golang-lru/v2 v2.0.7 // indirect
	golang.org/x/crypto v0.19.0 // indirect
)

replace github.com/clerkkit/clerkkit/core => ../core
